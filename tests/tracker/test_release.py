"""`sprint release`: a finished quarter → annotated tag, release notes with metrics, README post + SVG chart."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graders.contract import Check, GradeResult
from tests.fakes.github.server import FakeGitHub
from tests.helpers import FIXED_TODAY
from tests.tracker.sync.github_support import REPO, Learner, Sleeps, issues, run, target
from tracker.boards.local import LocalBoard
from tracker.errors import SprintError
from tracker.ledger import Ledger
from tracker.progress import is_available, roadmap_state
from tracker.release import CHART_FILE, release
from tracker.scaffold import PROGRESS_END, PROGRESS_START
from tracker.sync.local import sync_local

GRADED_AT = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def finish_quarter(learner: Learner, quarter_id: str = "Q1", commit: str | None = None) -> None:
    """Record passing results for every available exercise of the quarter and tick its manual items."""
    quarter = next(q for q in learner.roadmap.quarters if q.id == quarter_id)
    ledger = Ledger(learner.conn)
    for sprint in quarter.sprints:
        for slug in sprint.exercises:
            if not is_available(slug):
                continue
            metrics = sorted({i.metric for i in sprint.checklist if i.slug == slug and i.metric})
            checks = [Check(name=m, status="pass", measured=0.97, threshold=">= 0.9", display="0.97") for m in metrics]
            exercise = learner.roadmap.exercise(slug)
            assert exercise is not None
            ledger.record(GradeResult(slug=slug, kind=exercise.kind, status="pass", seed=7, started_at=GRADED_AT,
                                      checks=checks or [Check(name="works", status="pass")], commit=commit,
                                      profile=learner.roadmap.profile))
    sync_local(learner.ws, learner.roadmap, learner.conn)
    state = roadmap_state(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    for sprint in quarter.sprints:
        st = state.sprint(sprint.id)
        assert st is not None
        for c in st.checklist:
            if c.manual:
                LocalBoard(learner.conn).tick(sprint.id, c.text)
    state = roadmap_state(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    assert next(q for q in state.quarters if q.id == quarter_id).done


@pytest.fixture
def learner(workspace: Path) -> Learner:
    return Learner.open(workspace)


def _section(root: Path) -> str:
    text = (root / "README.md").read_text()
    return text[text.index(PROGRESS_START):text.index(PROGRESS_END)]


def test_nothing_finished_changes_nothing(learner: Learner) -> None:
    before = (learner.root / "README.md").read_text()
    report = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    assert report.releases == [] and len(report.pending) == len(learner.roadmap.quarters)
    assert (learner.root / "README.md").read_text() == before and not (learner.root / CHART_FILE).exists()


def test_plain_folder_records_the_release_and_says_so_then_changes_nothing(learner: Learner) -> None:
    finish_quarter(learner)
    dry = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY, dry_run=True)
    assert dry.readme == "would be updated" and not (learner.root / CHART_FILE).exists()
    assert LocalBoard(learner.conn).snapshot().releases == {}
    report = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    [outcome] = report.releases
    assert (outcome.tag, outcome.where, outcome.tag_state) == ("v0.1", "local board", "not tagged")
    assert "not a git repository" in outcome.message and report.notes == [outcome.message]
    assert "v0.1" in LocalBoard(learner.conn).snapshot().releases
    section = _section(learner.root)
    assert f"]({CHART_FILE})" in section and "| Q1 — " in section and "`v0.1`" in section and "✅" in section
    assert "0.97" in section  # a measured highlight
    svg = (learner.root / CHART_FILE).read_text()
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and "sprints done" in svg
    files = {p: p.read_bytes() for p in (learner.root / "README.md", learner.root / CHART_FILE)}
    again = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    assert again.readme == "unchanged" and again.releases[0].release_state == "exists"
    assert {p: p.read_bytes() for p in files} == files


def _git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "L", "GIT_AUTHOR_EMAIL": "l@x", "GIT_COMMITTER_NAME": "L", "GIT_COMMITTER_EMAIL": "l@x",
           "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(root)}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def test_git_workspace_gets_an_annotated_tag_on_the_graded_commit(learner: Learner) -> None:
    _git(learner.root, "init", "-q", "-b", "main")
    _git(learner.root, "add", "-A")
    _git(learner.root, "commit", "-q", "-m", "graded")
    graded = _git(learner.root, "rev-parse", "HEAD")
    (learner.root / "later.txt").write_text("a later commit")
    _git(learner.root, "add", "-A")
    _git(learner.root, "commit", "-q", "-m", "later")
    finish_quarter(learner, commit=graded + "+dirty")
    report = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    [outcome] = report.releases
    assert (outcome.where, outcome.tag_state, outcome.sha) == ("git", "created", graded)
    assert _git(learner.root, "cat-file", "-t", "v0.1") == "tag"  # annotated, not lightweight
    assert _git(learner.root, "rev-parse", "v0.1^{commit}") == graded
    tag_object = _git(learner.root, "rev-parse", "v0.1")
    again = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    assert again.releases[0].tag_state == "exists" and again.readme == "unchanged"
    assert _git(learner.root, "rev-parse", "v0.1") == tag_object


def test_github_release_tags_the_graded_commit_with_notes_and_is_idempotent(fake_github: FakeGitHub,
                                                                            learner: Learner) -> None:
    graded = fake_github.repo.branches["main"]
    finish_quarter(learner, commit=graded)
    run(fake_github, learner)  # Q1's issues are closed
    q1 = next(q for q in learner.roadmap.quarters if q.id == "Q1")
    assert all(issues(fake_github)[s.id]["state"] == "closed" for s in q1.sprints)
    report = release(learner.ws, learner.roadmap, learner.conn, target=target(fake_github), env=fake_github.env(),
                     today=FIXED_TODAY, sleep=Sleeps())
    [outcome] = report.releases
    assert (outcome.where, outcome.tag_state, outcome.release_state, outcome.sha) == ("github", "created", "created",
                                                                                       graded)
    repo = fake_github.snapshot()["repos"][REPO]
    assert repo["refs"]["refs/tags/v0.1"].startswith("annotated tag 'v0.1'")
    [rel] = repo["releases"]
    assert rel["tag_name"] == "v0.1" and not rel["draft"] and rel["name"].startswith("v0.1 — Q1")
    body = rel["body"]
    assert "| exercise | check | measured | threshold | status |" in body and "0.97" in body
    numbers = {s.id: issues(fake_github)[s.id]["number"] for s in q1.sprints}
    found = fake_github.snapshot(with_numbers=True)["repos"][REPO]["issues"]
    assert all(f"[#{n}](" in body for n in numbers.values()) and found
    assert "started 2026-" in body and "done 2026-11-20" in body
    assert f"/{REPO}/releases/tag/v0.1" in _section(learner.root)
    before = fake_github.snapshot()
    fake_github.counters.reset()
    again = release(learner.ws, learner.roadmap, learner.conn, target=target(fake_github), env=fake_github.env(),
                    today=FIXED_TODAY)
    assert again.releases[0].release_state == "exists" and again.readme == "unchanged"
    assert fake_github.snapshot() == before and fake_github.counters.writes == 0
    assert fake_github.counters.requests == 2  # the tag and the release are looked up, nothing else


def test_an_unpushed_graded_commit_falls_back_to_the_default_branch(fake_github: FakeGitHub,
                                                                      learner: Learner) -> None:
    finish_quarter(learner, commit="0" * 40)
    report = release(learner.ws, learner.roadmap, learner.conn, target=target(fake_github), env=fake_github.env(),
                     today=FIXED_TODAY)
    assert report.releases[0].sha == fake_github.repo.branches["main"]
    assert "not on GitHub" in report.notes[0]


@pytest.mark.parametrize("mode", ["drop", "502_after_apply", "secondary_limit", "drop_after_apply",
                                  "502_before_apply"])
def test_release_converges_after_a_fault_at_every_request(tmp_path: Path, learner: Learner, mode: str) -> None:
    finish_quarter(learner)

    def attempt(fake: FakeGitHub, k: int | None) -> None:
        for path in (learner.root / "README.md", learner.root / CHART_FILE):
            path.unlink(missing_ok=True)
        (learner.root / "README.md").write_text(f"# me\n\n{PROGRESS_START}\n{PROGRESS_END}\n")
        learner.conn.execute("DELETE FROM board_releases")
        if k is not None:
            fake.faults.fail_request(k, mode)
        try:
            release(learner.ws, learner.roadmap, learner.conn, target=target(fake), env=fake.env(), today=FIXED_TODAY,
                    sleep=Sleeps(), cache_path=tmp_path / f"{mode}-{k}.json")
        except SprintError:
            release(learner.ws, learner.roadmap, learner.conn, target=target(fake), env=fake.env(),
                    today=FIXED_TODAY, sleep=Sleeps(), cache_path=tmp_path / f"{mode}-{k}.json")

    with FakeGitHub() as fake:
        attempt(fake, None)
        reference, total = fake.snapshot(), fake.counters.requests
    assert total >= 6
    for k in range(1, total + 1):
        with FakeGitHub() as fake:
            attempt(fake, k)
            assert [f.mode.value for f in fake.faults.fired] == [mode], k
            repo = fake.snapshot()["repos"][REPO]
            assert len(repo["releases"]) == 1 and list(repo["refs"]) == ["refs/heads/main", "refs/tags/v0.1"], k
            assert fake.snapshot() == reference, k
            fake.assert_clean()


def test_release_cli_json(learner: Learner, capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.cli.app import main

    finish_quarter(learner)
    for args in (["release", "--dry-run", "--json"], ["release", "--json"], ["release"]):
        with pytest.raises(SystemExit) as done:
            main([*args, "-w", str(learner.root)])
        assert done.value.code == 0
    out = capsys.readouterr().out
    first, second = (json.loads(chunk) for chunk in _json_chunks(out))
    assert first["dry_run"] and first["releases"][0]["release_state"] == "planned"
    assert second["releases"][0]["tag"] == "v0.1" and second["readme"] == "updated"
    assert "already released" in out or "v0.1 (Q1)" in out


def _json_chunks(text: str) -> list[str]:
    decoder = json.JSONDecoder()
    chunks, i = [], 0
    while len(chunks) < 2:
        i = text.index("{", i)
        _, end = decoder.raw_decode(text, i)
        chunks.append(text[i:end])
        i = end
    return chunks
