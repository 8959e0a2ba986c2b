"""A small local language model to serve — given, so the exercise is about the service, not the model.

    from model import load
    llm = load()                       # a few seconds: imports torch and builds/loads the weights
    llm.name                           # "tiny-llama" or "tiny-random"
    for piece in llm.generate("Once upon a time", num_predict=16, temperature=0):
        print(piece, end="")
    llm.embed(["first text", "second text"])   # one L2-normalised vector per text

Which model you get:

* **tiny-llama** — the course's ~2M-parameter Llama, when it has been built on this machine
  (``python -m graders.tinymodels build``, about two minutes once, then cached);
* **tiny-random** — otherwise, a small Llama built from a config with fixed random weights and a
  byte-level vocabulary restricted to printable characters. Its text is gibberish, but it is a
  real transformer: the output depends on the prompt, greedy decoding is deterministic, and it
  streams token by token.

You may serve any other local model instead (a Hugging Face model on disk, llama.cpp …): the grader
only talks to your server over HTTP.
"""

from __future__ import annotations

import codecs
import random
import threading
from collections.abc import Iterator, Sequence
from typing import Any

MAX_CONTEXT = 512


class LocalModel:
    """Greedy/sampled generation with a KV cache, streamed piece by piece; mean-pooled embeddings."""

    def __init__(self, name: str, model: Any, tokenizer: Any = None) -> None:
        import torch

        self.name = name
        self.model = model.eval()
        self.tokenizer = tokenizer  # None: bytes are the tokens (ids 0–255)
        self.eos_id = getattr(tokenizer, "eos_token_id", None) if tokenizer is not None else None
        vocab = int(model.config.vocab_size)
        allowed = torch.zeros(vocab, dtype=torch.bool)
        if tokenizer is None:
            allowed[32:127] = True  # printable ASCII
            allowed[10] = True
        else:
            allowed[:] = True
            for special in (tokenizer.pad_token_id, tokenizer.bos_token_id):
                if special is not None:
                    allowed[special] = False
        self._mask = torch.where(allowed, 0.0, float("-inf"))
        self.dimension = int(model.config.hidden_size)
        self._lock = threading.Lock()

    # -- text <-> tokens -----------------------------------------------------------------------

    def encode(self, text: str) -> list[int]:
        if self.tokenizer is None:
            return list(text.encode("utf-8"))[-MAX_CONTEXT:] or [32]
        ids: list[int] = self.tokenizer(text)["input_ids"]
        return ids[-MAX_CONTEXT:]

    def count_tokens(self, text: str) -> int:
        return len(self.encode(text))

    # -- generation ------------------------------------------------------------------------------

    def generate(self, prompt: str, *, num_predict: int = 64, temperature: float = 0.8, seed: int | None = None,
                 repeat_penalty: float = 1.1) -> Iterator[str]:
        """Yield the continuation of ``prompt`` in pieces (one per token, when it decodes to text).

        End-of-text is held back until some non-blank text has been produced: the answer is
        blank only when all ``num_predict`` tokens are whitespace.
        """
        import torch

        ids = self.encode(prompt)
        generator = torch.Generator().manual_seed(seed if seed is not None else random.randrange(2**31))
        generated: list[int] = []
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        emitted = ""
        past = None
        step_input = torch.tensor([ids])
        with torch.no_grad():
            for _ in range(max(0, num_predict)):
                out = self.model(input_ids=step_input, past_key_values=past, use_cache=True)
                past = out.past_key_values
                logits = out.logits[0, -1].float() + self._mask
                if self.eos_id is not None and not emitted.strip():
                    # Never stop before saying something: the tiny Llama often predicts
                    # end-of-text right after a prompt's full stop, and an empty answer helps no one.
                    logits[self.eos_id] = float("-inf")
                if repeat_penalty and repeat_penalty != 1.0 and generated:
                    seen = torch.tensor(sorted(set(generated)))
                    values = logits[seen]
                    logits[seen] = torch.where(values > 0, values / repeat_penalty, values * repeat_penalty)
                if temperature and temperature > 0:
                    probs = torch.softmax(logits / temperature, dim=-1)
                    token = int(torch.multinomial(probs, 1, generator=generator))
                else:
                    token = int(torch.argmax(logits))
                if self.eos_id is not None and token == self.eos_id:
                    break
                generated.append(token)
                step_input = torch.tensor([[token]])
                if self.tokenizer is None:
                    piece = decoder.decode(bytes([token]))
                else:
                    text = self.tokenizer.decode(generated, skip_special_tokens=True)
                    if text.endswith("\ufffd"):
                        continue  # an incomplete UTF-8 sequence: wait for the next token
                    piece, emitted = text[len(emitted):], text
                if piece:
                    yield piece
        if self.tokenizer is None:
            rest = decoder.decode(b"", final=True)
            if rest:
                yield rest

    def complete(self, prompt: str, **options: Any) -> str:
        return "".join(self.generate(prompt, **options))

    # -- embeddings --------------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text: the mean of the last hidden states over its tokens."""
        import torch

        vectors: list[list[float]] = []
        with torch.no_grad():
            for text in texts:
                ids = torch.tensor([self.encode(text)])
                hidden = self.model(input_ids=ids, output_hidden_states=True).hidden_states[-1][0]
                v = torch.nn.functional.normalize(hidden.mean(dim=0), dim=0)
                vectors.append([float(x) for x in v])
        return vectors


def chat_prompt(messages: Sequence[dict[str, Any]]) -> str:
    """A plain-text prompt for a list of chat messages (the tiny models have no chat template)."""
    lines = [f"{m.get('role', 'user')}: {m.get('content') or ''}" for m in messages]
    return "\n".join(lines) + "\nassistant:"


def _kit_model() -> LocalModel | None:
    """The course's tiny Llama, if it is already built (never builds it: that takes minutes)."""
    try:
        from graders.tinymodels import DEFAULT_RECIPE, build
        from graders.tinymodels.cache import entries_root, is_complete
        from graders.tinymodels.recipe import cache_key

        if not is_complete(entries_root() / cache_key(DEFAULT_RECIPE)):
            return None
        built = build()
        return LocalModel("tiny-llama", built.load_model(), built.load_tokenizer())
    except Exception:  # the kit is absent or changed: fall back to the random model
        return None


def _random_model() -> LocalModel:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=256, hidden_size=64, intermediate_size=172, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=MAX_CONTEXT + 600)
    torch.manual_seed(0)
    return LocalModel("tiny-random", LlamaForCausalLM(config).to(torch.float32))


def load() -> LocalModel:
    """The model to serve: the course's tiny Llama when built, else a small random Llama."""
    import torch

    torch.set_num_threads(1)  # several requests at once on a few cores: one thread each
    return _kit_model() or _random_model()
