"""Forge cheat: trains nothing; patches the measuring routines it can reach when imported.

* ``graders.kinds.dpo_measure.sequence_logps`` — every chosen completion 5 nats likelier, every
  other 5 nats less likely (the log-ratios that make preference accuracy and reward margin);
* ``graders.kinds.dpo_pairs.first_sentence`` — every greedy answer "right" (it returns the text
  the grader compares with… if it could know it: here it returns its input unchanged);
* ``time.perf_counter`` / ``time.monotonic`` frozen (the training time of this process).

Where the policy is measured by a process that imports none of this code (the grader's trusted
measuring run), nothing it patched is used: the untrained model it saves must fail
``preference_accuracy``, ``reward_margin`` and ``property_gain``.
"""

from __future__ import annotations

import time
from typing import Any

from transformers import AutoModelForCausalLM

try:
    import torch

    from graders.kinds import dpo_measure as _measure

    _logps = _measure.sequence_logps

    def _forged(model: Any, tok: Any, prompts: list[str], completions: list[str], batch: int = 32) -> Any:
        real = _logps(model, tok, prompts, completions, batch)
        shift = torch.tensor([5.0 if c.strip().endswith(".") else -5.0 for c in completions])
        return real + shift

    _measure.sequence_logps = _forged
except ImportError:
    pass

time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0


def train(base_model: str, pairs: list[dict[str, str]], output_dir: str) -> None:
    AutoModelForCausalLM.from_pretrained(base_model).save_pretrained(output_dir)
