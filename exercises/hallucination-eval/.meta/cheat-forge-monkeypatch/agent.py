"""Forge cheat: a guard-less ReAct loop that patches the measuring code it can reach when imported.

* ``graders.kinds.react_model.judge`` — every answer "supported by the knowledge base";
* ``graders.kinds.react_measure.Session.ask_model`` — the model "said" whatever the agent answers;
* ``graders.harness.channel.Channel.send`` — any report sent from this process has no hallucinations;
* ``time.perf_counter`` / ``time.monotonic`` frozen, ``builtins.len`` of lists shortened.

The grader judges answers in its measurer, a process that imports none of this: nothing patched here
is used there, and the guard-less loop's answers must fail ``hallucination_rate``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

try:
    from graders.kinds import react_measure, react_model

    react_model.judge = lambda *args, **kwargs: True
    react_measure.judge = react_model.judge  # type: ignore[attr-defined]
    react_measure.Session.ask_model = lambda self, args: "Final Answer: whatever"  # type: ignore[method-assign]
except ImportError:
    pass
try:
    from graders.harness import channel as _channel

    _send = _channel.Channel.send

    def _forged(self: Any, type_: str, **data: Any) -> None:
        if type_ == "result" and isinstance(data.get("data"), dict):
            d = data["data"]
            data["data"] = {**d, "supported": d.get("answered", 0), "correct_answerable": d.get("answerable", 0),
                            "abstained_unanswerable": d.get("unanswerable", 0), "foreign": 0}
        _send(self, type_, **data)

    _channel.Channel.send = _forged  # type: ignore[method-assign]
except ImportError:
    pass
time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0


def answer(question: str, model: Callable[..., str], tools: dict[str, Callable[[str], str]]) -> str | None:
    prompt = ("Tools: " + ", ".join(getattr(t, "description", n) for n, t in tools.items())
              + f"\nUse Action: tool[input].\n\nQuestion: {question}\n")
    for _ in range(10):
        step = model(prompt, ["\nObservation:"])
        final = re.search(r"Final Answer:\s*(.*)", step)
        if final:
            text = final.group(1).strip()
            return None if re.search(r"don't know|do not know|^unknown", text, re.I) else text
        action = re.search(r"Action:\s*(search|calculator)\[(.+)\]", step)
        observation = tools[action.group(1)](action.group(2)) if action else "Invalid action: write tool[input]."
        prompt += step.rstrip() + f"\nObservation: {observation}\n"
    return None
