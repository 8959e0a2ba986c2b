"""Kind ``function`` on csv-to-json: golden verdicts, and hidden cases that change with the seed."""

from __future__ import annotations

import pytest

from graders.kinds._meta import load_meta_module
from graders.paths import exercise_dir
from tests.graders.kinds.golden import assert_golden


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_csv_to_json_verdicts_match_golden() -> None:
    verdicts = assert_golden("csv-to-json")
    assert verdicts["reference"]["status"] == "pass"
    assert verdicts["starter"]["status"] == "fail"
    assert all(v["ok"] for v in verdicts.values())
    assert len([n for n in verdicts if n.startswith("cheat")]) >= 2


def test_hidden_cases_are_drawn_from_the_seed() -> None:
    cases = load_meta_module(exercise_dir("csv-to-json") / ".meta" / "cases.py")
    a, b, a2 = cases.generate(1), cases.generate(2), cases.generate(1)
    assert [c.files for c in a] == [c.files for c in a2]
    assert [c.files for c in a] != [c.files for c in b]
    big = next(c for c in a if c.name == "10k-rows")
    assert len(big.expected) == 10_000 and big.timed
    tricky = "".join(str(c.files["in.csv"]) for c in a)
    assert '""' in tricky and "\r\n" in tricky
