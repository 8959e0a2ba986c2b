"""Token-level perplexity, the number graders hold learners' adapters and quantized models to.

Definition (the contract graders rely on):

* every text is encoded as ``<s> text </s>`` (the tokenizer's own bos/eos; no bos if it has
  none), with ``add_special_tokens=False`` for the text itself so no template adds more;
* every token after the first is predicted from the tokens before it — including ``</s>``, so a
  model that never learned where answers end pays for it;
* perplexity = exp(mean negative log-likelihood over *all predicted tokens of all texts*), i.e.
  token-weighted, not an average of per-text perplexities; padding is never counted;
* a text longer than ``max_length`` is cut into windows of ``max_length`` tokens overlapping by
  one, so each of its tokens is still predicted exactly once (with a shorter context);
* log-probabilities are computed in float32 whatever the model's dtype, sums in float64;
* non-finite results (a model emitting NaN or inf, or overflow) are returned as ``inf``, never
  NaN: NaN compares false against every threshold and would slip through a ``not ppl > t`` test.

Deterministic for a fixed model, text list, ``max_length``, ``batch_size`` and thread count.
The model is run in eval mode under ``torch.no_grad`` and its training flag restored after.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

__all__ = ["perplexity", "perplexity_of_nll", "token_nll", "token_nll_of"]


def _windows(ids: list[int], max_length: int) -> list[list[int]]:
    """Cut ``ids`` into windows of ≤ ``max_length`` overlapping by one token.

    Window k predicts its tokens 1…; the overlap makes the first target of window k+1 the token
    right after window k's last target, so every token but ``ids[0]`` is predicted once.
    """
    if len(ids) <= max_length:
        return [ids]
    # Starts stop at len-2, so the last window still has a target.
    return [ids[s : s + max_length] for s in range(0, len(ids) - 1, max_length - 1)]


def token_nll(
    model: Any, tokenizer: Any, texts: Sequence[str], *, max_length: int = 256, batch_size: int = 16
) -> tuple[float, int]:
    """Sum of negative log-likelihoods (nats) and number of predicted tokens over ``texts``.

    ``model`` is any causal LM taking ``input_ids``/``attention_mask`` and returning ``.logits``
    (a ``LlamaForCausalLM``, a peft model, a bitsandbytes-quantized model); ``tokenizer`` a
    ``transformers`` tokenizer. See the module docstring for the exact definition.
    """
    import torch

    device = _device_of(model)
    was_training = bool(getattr(model, "training", False))
    model.eval()

    def forward(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits  # type: ignore[no-any-return]

    try:
        return token_nll_of(forward, tokenizer, texts, max_length=max_length, batch_size=batch_size)
    finally:
        model.train(was_training)


def token_nll_of(
    forward: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], tokenizer: Any, texts: Sequence[str], *,
    max_length: int = 256, batch_size: int = 16
) -> tuple[float, int]:
    """:func:`token_nll` of a model reached only through ``forward(input_ids, attention_mask) ->
    logits`` (``(B, T)`` long tensors on the CPU → ``(B, T, V)``): a grader's measurer computes the
    perplexity of a model that lives in another process from the logits it sends back."""
    import torch
    import torch.nn.functional as F

    if max_length < 2:
        raise ValueError("max_length must be at least 2")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (eos if eos is not None else 0)
    windows: list[list[int]] = []
    rows = tokenizer(list(texts), add_special_tokens=False)["input_ids"] if texts else []
    for row in rows:
        ids = ([bos] if bos is not None else []) + list(row) + ([eos] if eos is not None else [])
        windows.extend(w for w in _windows(ids, max_length) if len(w) > 1)
    # Longest first (stable): batches of similar length waste less compute on padding.
    windows.sort(key=len, reverse=True)

    total_nll, total_tokens = 0.0, 0
    for i in range(0, len(windows), batch_size):
        batch = windows[i : i + batch_size]
        T = len(batch[0])
        ids_t = torch.full((len(batch), T), pad, dtype=torch.long)  # (B, T)
        mask = torch.zeros((len(batch), T), dtype=torch.long)  # (B, T): 1 = real token
        for r, w in enumerate(batch):
            ids_t[r, : len(w)] = torch.tensor(w, dtype=torch.long)
            mask[r, : len(w)] = 1
        logits = forward(ids_t, mask)  # (B, T, V)
        with torch.no_grad():
            logits = logits[:, :-1].float().cpu()  # (B, T-1, V): position t predicts token t+1
            targets = ids_t[:, 1:].masked_fill(mask[:, 1:] == 0, -100)  # (B, T-1)
            nll = F.cross_entropy(  # (B*(T-1),) float32, 0 at ignored positions
                logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=-100, reduction="none"
            )
        total_nll += float(nll.double().sum().item())
        total_tokens += int((targets != -100).sum().item())
    return total_nll, total_tokens


def perplexity_of_nll(nll: float, count: int) -> float:
    """exp(``nll`` / ``count``); ``inf`` when not finite (see :func:`perplexity`)."""
    if count == 0:
        raise ValueError("no tokens to predict: texts is empty")
    mean = nll / count
    if not math.isfinite(mean) or mean > 700.0:  # exp overflows a float a little above 709
        return math.inf
    return math.exp(mean)


def perplexity(
    model: Any, tokenizer: Any, texts: Sequence[str], *, max_length: int = 256, batch_size: int = 16
) -> float:
    """exp(mean token NLL) of ``model`` on ``texts``; ``inf`` when not finite. See module docstring."""
    return perplexity_of_nll(*token_nll(model, tokenizer, texts, max_length=max_length, batch_size=batch_size))


def _device_of(model: Any) -> torch.device:
    import torch

    for p in model.parameters():
        return p.device  # type: ignore[no-any-return]
    return torch.device("cpu")
