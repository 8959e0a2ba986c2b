"""``sprint models build``'s progress in a log (CI): one line per stage, one per 5 % within it."""

from __future__ import annotations

import io

from rich.console import Console

from tracker.cli.models import _progress


def test_a_log_gets_a_line_per_stage_and_per_five_percent_not_one_per_step() -> None:
    buffer = io.StringIO()
    out = Console(file=buffer, force_terminal=False, width=200)
    with _progress(out, "tiny encoder", quiet=False) as log:
        assert log is not None
        log("generating the corpus", 0.0)
        for step in range(0, 6001, 25):
            log(f"masked-LM pretraining step {step}/6000, loss 3.000", 0.05 + 0.9 * step / 6000)
        log("saving to /tmp/x", 0.97)
        log("done", 1.0)
    lines = buffer.getvalue().splitlines()
    steps = [line for line in lines if "pretraining step" in line]
    assert lines[0] == "[tiny encoder   0.0%] generating the corpus"
    assert 15 <= len(steps) <= 20  # 241 reports over 90 % of the bar
    assert lines[-2:] == ["[tiny encoder  97.0%] saving to /tmp/x", "[tiny encoder 100.0%] done"]


def test_json_output_reports_no_progress_at_all() -> None:
    with _progress(Console(file=io.StringIO()), "tiny model", quiet=True) as log:
        assert log is None
