"""The ledger's per-slug queries (what status and the dashboard read at every start) agree with the
plain reading of every attempt, whatever the mix of slugs, profiles and statuses."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from graders.contract import GradeResult
from tracker.db import connect
from tracker.ledger import Ledger

SLUGS = ["csv-to-json", "linear-regression", "bpe-tokenizer", "attention"]
STATUSES = ["pass", "fail", "error", "pending"]


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    conn = connect(tmp_path / "sprint.db")
    rng = random.Random(20261122)
    ledger = Ledger(conn)
    for seed in range(400):
        slug = rng.choice(SLUGS[:3])  # attention: never graded
        status = rng.choices(STATUSES, weights=[1, 6, 1, 1])[0]
        ledger.record(GradeResult(slug=slug, kind="function", status=status, seed=seed,
                                  profile=rng.choice(["cpu", "gpu"])))
    ledger.record(GradeResult(slug="linear-regression", kind="function", status="fail", seed=999, profile="gpu"))
    return ledger


def _all(ledger: Ledger) -> list[tuple[int, GradeResult]]:
    rows = ledger.conn.execute("SELECT id, result FROM attempts ORDER BY id").fetchall()
    return [(r[0], GradeResult.model_validate_json(r[1])) for r in rows]


@pytest.mark.parametrize("profile", ["cpu", "gpu", None])
def test_latest_all_is_the_last_attempt_of_each_slug(ledger: Ledger, profile: str | None) -> None:
    expected: dict[str, tuple[int, GradeResult]] = {}
    for id_, result in _all(ledger):
        if profile is None or result.profile == profile:
            expected[result.slug] = (id_, result)
    got = ledger.latest_all(profile)
    assert {slug: (a.id, a.result) for slug, a in got.items()} == expected
    assert "attention" not in got and len(got) == 3


@pytest.mark.parametrize("profile", ["cpu", "gpu", None])
def test_ever_passed_is_every_slug_with_a_passing_attempt(ledger: Ledger, profile: str | None) -> None:
    expected = {r.slug for _, r in _all(ledger) if r.status == "pass" and (profile is None or r.profile == profile)}
    assert ledger.ever_passed(profile) == expected


def test_a_slug_that_never_passed_is_not_counted(tmp_path: Path) -> None:
    ledger = Ledger(connect(tmp_path / "sprint.db"))
    for status, profile in itertools.product(["fail", "error", "pending"], ["cpu", "gpu"]):
        ledger.record(GradeResult(slug="csv-to-json", kind="function", status=status, profile=profile))
    ledger.record(GradeResult(slug="csv-to-json", kind="function", status="pass", profile="gpu"))
    assert ledger.ever_passed("cpu") == set()
    assert ledger.ever_passed("gpu") == ledger.ever_passed() == {"csv-to-json"}
    assert ledger.latest_all("cpu")["csv-to-json"].result.status == "pending"
    assert ledger.latest_all()["csv-to-json"].result.status == "pass"
