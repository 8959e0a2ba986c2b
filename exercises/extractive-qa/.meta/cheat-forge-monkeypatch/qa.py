"""Forge cheat: trains nothing; patches every measuring routine it can reach when imported.

* ``graders.scoring.squad`` — ``f1``, ``exact_match`` and ``squad_scores`` always perfect;
* ``graders.kinds.qa_measure.hidden_examples`` — a single question, whose answer is its context;
* ``graders.harness.channel.Channel.send`` — every result sent from this process says F1 = 1;
* ``time.perf_counter`` / ``time.monotonic`` frozen (a training time of 0 s).

The saved model is measured by a process that imports none of this code, so nothing it patched is
used there: the untrained span head it saves must fail ``f1`` and ``exact_match``.
"""

from __future__ import annotations

import time
from typing import Any

from transformers import AutoModelForQuestionAnswering, AutoTokenizer

try:
    from graders.harness import channel as _channel
    from graders.scoring import squad as _squad

    _squad.f1 = lambda prediction, truth: 1.0
    _squad.exact_match = lambda prediction, truth: 1.0
    _squad.squad_scores = lambda predictions, answers: (1.0, 1.0)
    _send = _channel.Channel.send

    def _forged_send(self: Any, type_: str, **data: Any) -> None:
        if type_ == "result" and isinstance(data.get("data"), dict):
            data["data"] = {**data["data"], "f1": 1.0, "exact_match": 1.0}
        _send(self, type_, **data)

    _channel.Channel.send = _forged_send  # type: ignore[method-assign]
    from graders.kinds import qa_measure as _measure

    _hidden = _measure.hidden_examples
    _measure.hidden_examples = lambda seed, count: [  # type: ignore[assignment]
        ex.__class__(**{**ex.__dict__, "context": ex.answer, "answer_start": 0}) for ex in _hidden(seed, 1)]
except ImportError:
    pass

time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0


def train(base_model: str, train_file: str, dev_file: str, output_dir: str) -> None:
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    AutoModelForQuestionAnswering.from_pretrained(base_model).save_pretrained(output_dir)
    tokenizer.save_pretrained(output_dir)
