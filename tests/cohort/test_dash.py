"""`sprint dash --cohort`: the table, the report and the weekly review; reading GitHub in a worker."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from tests.cohort import support as S
from tests.cohort.conftest import Mentor
from tests.helpers import FIXED_TODAY, sprint
from tests.tui.support import run_async
from tracker.tui.cohort import CohortApp, DigestScreen

RM = S.roadmap()


async def _settle(app: CohortApp, pilot: object) -> None:
    for _ in range(400):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        if not app.reading:
            return
    raise AssertionError("the read did not finish")


@pytest.fixture
def cohort(mentor: Mentor, monkeypatch: pytest.MonkeyPatch) -> Mentor:
    mentor.write(list(S.seed_cohort(mentor.fake, RM)))
    for key, value in mentor.env().items():
        monkeypatch.setenv(key, value)
    return mentor


@run_async
async def test_the_cohort_screen_reads_shows_and_rereads(cohort: Mentor) -> None:
    app = CohortApp(cohort.cohort, today=FIXED_TODAY)
    async with app.run_test(size=(180, 50)) as pilot:
        await _settle(app, pilot)
        table = app.query_one("#table", DataTable)
        assert table.row_count == 5
        assert [str(c.label) for c in table.columns.values()][:5] == ["learner", "wk", "done", "P0", "P1"]
        assert [str(cell) for cell in table.get_row("dan/llm-sprint")[:4]] == ["dan/llm-sprint", "5", "0/12", "!"]
        heading = str(app.query_one("#heading", Static).render())
        assert "Spring cohort" in heading and "5 learner(s), 5 not read" in heading
        report = str(app.query_one("#report", Static).render())
        assert report.startswith("Behind the 12-week plan") and "hal/llm-sprint: progress.json is" in report
        opened: list[str] = []
        app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
        table.focus()
        await pilot.press("down", "down", "enter")
        assert opened and opened[-1].endswith("/cat/llm-sprint")
        await pilot.press("d")
        assert isinstance(app.screen, DigestScreen) and "weekly review" in app.screen.text
        await pilot.press("escape")
        cohort.fake.counters.reset()
        await pilot.press("r")
        await _settle(app, pilot)
        assert "read: warm, 1 request(s)" in str(app.query_one("#activity", Static).render())
        assert cohort.fake.counters.requests == 1
        await pilot.press("q")

    again = CohortApp(cohort.cohort, today=FIXED_TODAY)
    cohort.fake.counters.reset()
    async with again.run_test(size=(180, 50)) as pilot:
        await pilot.pause(0.1)
        assert again.query_one("#table", DataTable).row_count == 5
        assert "shown from the cache" in str(again.query_one("#activity", Static).render())
        assert cohort.fake.counters.requests == 0  # opened without a request
        await pilot.press("q")


def test_dash_with_a_bad_cohort_file_exits_2(mentor: Mentor) -> None:
    mentor.cohort.write_text("roadmap: roadmap.yaml\n", encoding="utf-8")
    proc = sprint("dash", "--cohort", str(mentor.cohort))
    assert proc.returncode == 2 and "the cohort names no repository" in proc.stderr
