"""Pretraining: pack documents into one token stream, sample windows, AdamW, cosine schedule.

nanoGPT-style on purpose: a learner reading this should recognise every line. Everything that
could make two runs differ is pinned: the batch sampler has its own seeded generator, the model
is initialised from ``recipe.seed`` (see :mod:`.model`), and :func:`deterministic` fixes the
thread count and turns on torch's deterministic algorithms for the duration of the build.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from graders.tinymodels.recipe import Recipe

if TYPE_CHECKING:
    import torch
    from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

__all__ = ["deterministic", "lr_at", "pack_documents", "pretrain"]

#: Called as ``on_step(step, loss)`` after every optimiser step (1-based step).
StepCallback = Callable[[int, float], None]


@contextmanager
def deterministic(num_threads: int) -> Iterator[None]:
    """Pin torch's thread count and deterministic algorithms; restore both on exit.

    On CPU the thread count decides how reductions are split, hence the last bits of every
    matmul: the same recipe gives the same weights only at the same thread count.
    """
    import torch

    old_threads = torch.get_num_threads()
    old_det = torch.are_deterministic_algorithms_enabled()
    old_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.set_num_threads(num_threads)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(old_det, warn_only=old_warn)
        torch.set_num_threads(old_threads)


def pack_documents(tokenizer: PreTrainedTokenizerFast, texts: Sequence[str]) -> torch.Tensor:
    """One long stream ``<s> doc₁ </s> <s> doc₂ </s> …`` as an int64 tensor of shape (N,)."""
    import torch

    eos = tokenizer.eos_token_id
    ids: list[int] = []
    for row in tokenizer(list(texts), add_special_tokens=True)["input_ids"]:  # each starts with <s>
        ids.extend(row)
        ids.append(eos)
    return torch.tensor(ids, dtype=torch.long)


def lr_at(step: int, recipe: Recipe) -> float:
    """Learning rate for 0-based ``step``: linear warm-up to ``lr``, cosine decay to ``min_lr``."""
    if step < recipe.warmup_steps:
        return recipe.lr * (step + 1) / recipe.warmup_steps
    progress = (step - recipe.warmup_steps) / max(1, recipe.steps - recipe.warmup_steps)
    return recipe.min_lr + 0.5 * (recipe.lr - recipe.min_lr) * (1.0 + math.cos(math.pi * progress))


def pretrain(
    model: LlamaForCausalLM,
    stream: torch.Tensor,
    recipe: Recipe,
    on_step: StepCallback | None = None,
) -> list[float]:
    """Train ``model`` in place for ``recipe.steps`` steps on random windows of ``stream``.

    Returns the training loss of every step. Call inside :func:`deterministic` for
    reproducible weights.
    """
    import torch
    import torch.nn.functional as F

    B, T = recipe.batch_size, recipe.seq_len
    if stream.numel() < T + 2:
        raise ValueError(f"training stream has {stream.numel()} tokens; need more than seq_len + 1 = {T + 1}")
    gen = torch.Generator().manual_seed(recipe.seed)
    # Decay matrices only; norms' weights stay free (as in nanoGPT / Llama training).
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": recipe.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=recipe.lr,
        betas=(0.9, 0.95),
        foreach=False,  # the plain loop: same arithmetic order whatever torch picks as default
    )
    offsets = torch.arange(T + 1)  # (T+1,)
    losses: list[float] = []
    model.train()
    for step in range(recipe.steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, recipe)
        starts = torch.randint(0, stream.numel() - T - 1, (B,), generator=gen)  # (B,)
        window = stream[starts[:, None] + offsets]  # (B, T+1)
        x, y = window[:, :-1], window[:, 1:]  # (B, T) each: y is x shifted left by one
        logits = model(input_ids=x).logits  # (B, T, V)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        opt.step()
        losses.append(loss.item())
        if on_step is not None:
            on_step(step + 1, losses[-1])
    model.eval()  # type: ignore[no-untyped-call]
    return losses
