"""The workflow `sprint init` installs, run step by step as GitHub Actions would run it.

Each `run:` step of the `grade` job is executed with bash (`-eo pipefail`, Actions' default shell) in
a scaffolded workspace that is a git repository with a local bare `origin`; GitHub is the fake server.
`uses:` steps (checkout, setup-python, caches, artifact upload) are GitHub's own and are skipped, as
is the install step (this test runs the llm-sprint under test). `if:` conditions and
`continue-on-error` are honoured, so "grade failed → the job fails at the end" is exercised too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.github.server import FakeGitHub
from tests.helpers import FIXED_TODAY, solve, sprint
from tracker.progress_record import parse_record
from tracker.workflow import REQUIREMENTS_PATH, WORKFLOW_PATH

REPO_NAME = "octo-learner/roadmap"
Q1 = sorted(["csv-to-json", "linear-regression", "project-setup"])
GIT_ID = {"GIT_AUTHOR_NAME": "Learner", "GIT_AUTHOR_EMAIL": "learner@example.invalid",
          "GIT_COMMITTER_NAME": "Learner", "GIT_COMMITTER_EMAIL": "learner@example.invalid"}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **GIT_ID}, check=True)
    return proc.stdout.strip()


@dataclass
class JobRun:
    """What one run of the `grade` job did."""

    outcomes: dict[str, str] = field(default_factory=dict)  # step name -> success | failure | skipped
    logs: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def failed(self) -> bool:
        return any(o == "failure" for o in self.outcomes.values())


class Runner:
    """Plays the GitHub Actions runner for the learner's workflow, offline."""

    def __init__(self, workspace: Path, fake: FakeGitHub, tmp: Path) -> None:
        self.ws = workspace
        self.fake = fake
        self.tmp = tmp
        self.workflow: dict[str, Any] = yaml.safe_load((workspace / WORKFLOW_PATH).read_text(encoding="utf-8"))
        self.runs = 0

    def run_job(self, *, project_token: str = "", job_name: str = "grade") -> JobRun:
        self.runs += 1
        summary = self.tmp / f"summary-{self.runs}.md"
        summary.write_text("", encoding="utf-8")
        context = {"github.token": self.fake.actions_token(), "secrets.PROJECT_TOKEN": project_token,
                   "github.ref": "refs/heads/main", "github.run_id": str(self.runs)}
        base_env = {
            **{k: v for k, v in os.environ.items() if "TOKEN" not in k.upper()},
            **GIT_ID,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # `sprint` of this venv
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_REPOSITORY": REPO_NAME, "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": self.fake.url, "GITHUB_GRAPHQL_URL": self.fake.graphql_url,
            "GITHUB_SHA": git(self.ws, "rev-parse", "HEAD"), "SPRINT_TODAY": FIXED_TODAY.isoformat(),
            "NO_COLOR": "1",
        }
        job = JobRun()
        outcomes: dict[str, str] = {}  # by step id, for `steps.<id>.outcome`
        for step in self.workflow["jobs"][job_name]["steps"]:
            name = step.get("name") or step.get("uses")
            if "uses" in step:
                job.outcomes[name] = "skipped (GitHub's action)"
                continue
            if name.startswith("Install"):
                assert REQUIREMENTS_PATH.as_posix() in step["run"] and (self.ws / REQUIREMENTS_PATH).is_file()
                job.outcomes[name] = "skipped (the llm-sprint under test is installed)"
                continue
            if not self._condition(step.get("if"), job, outcomes):
                job.outcomes[name] = "skipped"
                continue
            env = {**base_env, **{k: self._expand(str(v), context) for k, v in (step.get("env") or {}).items()}}
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                  cwd=self.ws, env=env, capture_output=True, text=True, timeout=900)
            outcome = "success" if proc.returncode == 0 else "failure"
            if "id" in step:
                outcomes[step["id"]] = outcome
            job.outcomes[name] = "success" if step.get("continue-on-error") else outcome
            job.logs[name] = proc.stdout + proc.stderr
        job.summary = summary.read_text(encoding="utf-8")
        return job

    @staticmethod
    def _expand(text: str, context: dict[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            assert match.group(1) in context, f"the test does not model the expression {match.group(0)}"
            return context[match.group(1)]

        return EXPRESSION.sub(value, text)

    @staticmethod
    def _condition(expr: str | None, job: JobRun, outcomes: dict[str, str]) -> bool:
        if expr is None:  # success(): no earlier step failed
            return not job.failed
        if expr.strip() == "always()":
            return True
        match = re.fullmatch(r"steps\.([\w-]+)\.outcome == '(\w+)'", expr.strip())
        assert match, f"the test does not model the condition {expr!r}"
        return not job.failed and outcomes.get(match.group(1)) == match.group(2)


@pytest.fixture
def runner(fake_github: FakeGitHub, tmp_path: Path) -> Runner:
    workspace = tmp_path / "ws"
    init = sprint("init", str(workspace), "--start", (FIXED_TODAY - dt.timedelta(days=14)).isoformat())
    assert init.returncode == 0, init.stderr
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "sprint init")
    git(workspace, "remote", "add", "origin", str(origin))
    git(workspace, "push", "-q", "origin", "main")
    return Runner(workspace, fake_github, tmp_path)


def summary_rows(summary: str, slug: str) -> list[list[str]]:
    """The table rows (cells) under the exercise's heading in the job summary."""
    section = summary.split(f"`{slug}`", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| check |")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_learner_workflow_grades_summarises_syncs_and_commits_progress(runner: Runner,
                                                                          fake_github: FakeGitHub) -> None:
    ws = runner.ws
    # Push 1: a fresh workspace. Every starter is graded and fails; the board is synced, issues only.
    first = runner.run_job()
    assert first.outcomes["Grade what changed"] == "success"  # continue-on-error: the job goes on
    assert first.outcomes["Sync the board"] == "success", first.logs["Sync the board"]
    assert first.outcomes["Release finished quarters"] == "success", first.logs["Release finished quarters"]
    assert first.outcomes["Fail the job when a grade failed"] == "failure"  # …and fails at the end
    results = json.loads((ws / "sprint-results.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in results} <= {"fail", "error"} and len(results) >= 8
    for result in results:
        rows = summary_rows(first.summary, result["slug"])
        assert [row[0] for row in rows] == [c["name"] for c in result["checks"]], result["slug"]
        assert all(row[1] == c["status"] for row, c in zip(rows, result["checks"], strict=True))
    assert "::error file=exercises/csv-to-json/" in first.logs["Grade what changed"]
    assert "Synced **issues only**" in first.summary and "PROJECT_TOKEN" in first.summary
    snapshot = fake_github.snapshot()
    assert snapshot["projects"] == []
    sprint_issues = [i for i in fake_github.repo.issues.values() if i.title.startswith("[")]
    assert len(sprint_issues) >= 15 and all(i.state == "open" for i in sprint_issues)

    # Push 2: Q1's exercises solved; with a PROJECT_TOKEN the project board is found or created.
    for slug in Q1:
        solve(ws, slug)
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "solve Q1")
    git(ws, "push", "-q", "origin", "main")
    second = runner.run_job(project_token=fake_github.token)
    assert not second.failed, {k: second.logs.get(k, "")[-2000:] for k, v in second.outcomes.items()
                               if v == "failure"}
    assert second.outcomes["Fail the job when a grade failed"] == "skipped"
    graded = json.loads((ws / "sprint-results.json").read_text(encoding="utf-8"))
    assert sorted((r["slug"], r["status"]) for r in graded) == [(s, "pass") for s in Q1]  # --changed: only these
    assert f"graded {len(Q1)} exercises" in second.summary
    for slug in Q1:
        rows = summary_rows(second.summary, slug)
        assert rows and all(row[1] == "pass" for row in rows), (slug, rows)
    assert "[P0](https://github.com/octo-learner/roadmap/issues?q=" in second.summary
    assert "Synced issues and project #" in second.summary
    assert fake_github.snapshot()["projects"], "PROJECT_TOKEN set: the project board is created"

    # The release step refreshed the README's progress section; the commit step pushed it.
    assert second.outcomes["Commit the README progress section"] == "success"
    assert "v0.1 (Q1): released" in second.logs["Release finished quarters"]
    log = git(ws, "log", "--format=%s", "origin/main")
    assert log.splitlines()[0] == "sprint: progress section [skip ci]", log
    assert set(git(ws, "show", "--name-only", "--format=", "origin/main").split()) == {"README.md", "progress.svg",
                                                                                        "progress.json"}
    record = parse_record(git(ws, "show", "origin/main:progress.json"))
    assert record.quarters[0].done and record.sprint("P0") is not None
    assert git(ws, "status", "--porcelain") == ""  # sprint-results.json is ignored, nothing else is left

    # Push 3: nothing changed. Nothing is graded, nothing committed, the board is already in sync.
    third = runner.run_job(project_token=fake_github.token)
    assert not third.failed
    assert "Nothing changed since the last recorded attempts" in third.summary
    assert "\n0 change(s)," in third.summary, third.summary
    assert "README progress section unchanged" in third.logs["Commit the README progress section"]
    assert git(ws, "log", "-1", "--format=%s", "origin/main") == "sprint: progress section [skip ci]"

    # Monday: the scheduled job posts the week's review on the pinned issue; run again, it edits nothing.
    review = runner.run_job(job_name="weekly-review")
    assert not review.failed, review.logs
    assert review.outcomes["Restore the ledger"].startswith("skipped (GitHub's action)")
    assert "weekly review of week 3: comment added" in review.logs["Post the weekly review"]
    [issue] = [i for i in fake_github.repo.issues.values() if i.title == "Weekly review"]
    assert issue.number in fake_github.repo.pinned and len(issue.comments) == 1
    body = issue.comments[0].body
    assert body.startswith("<!-- llm-sprint:weekly-review week=3 -->") and "`csv-to-json`" in body
    again = runner.run_job(job_name="weekly-review")
    assert "comment unchanged" in again.logs["Post the weekly review"] and len(issue.comments) == 1


def test_every_expression_and_condition_of_the_workflow_is_modelled(runner: Runner) -> None:
    # The runner above refuses what it does not model; this keeps it honest without grading anything.
    steps = [*runner.workflow["jobs"]["grade"]["steps"], *runner.workflow["jobs"]["weekly-review"]["steps"]]
    context = {"github.token": "t", "secrets.PROJECT_TOKEN": "", "github.ref": "r", "github.run_id": "1"}
    for step in steps:
        for value in (step.get("env") or {}).values():
            Runner._expand(str(value), context)
        if "run" in step and step.get("if"):
            Runner._condition(step["if"], JobRun(), {})
    assert runner.workflow["permissions"] == {"contents": "write", "issues": "write"}
    triggers = runner.workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"] == [{"cron": "17 6 * * 1"}] and "workflow_dispatch" in triggers
    assert runner.workflow["jobs"]["grade"]["if"] == "github.event_name != 'schedule'"
    assert runner.workflow["jobs"]["weekly-review"]["if"] == ("github.event_name == 'schedule' || "
                                                              "github.event_name == 'workflow_dispatch'")
    assert runner.workflow["concurrency"]["group"].startswith("sprint-")
