"""The GitHub Actions job summary and annotations of a grade, written only when running under Actions.

Under Actions (``GITHUB_ACTIONS=true``) ``sprint grade`` appends a markdown table per graded
exercise to ``$GITHUB_STEP_SUMMARY`` and prints ``::error file=…,line=…::`` workflow commands for
failed checks, pointing at the learner's file (and line, when a traceback names one). Outside
Actions nothing here does anything.
"""

from __future__ import annotations

import os
import re
import sys
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from graders.contract import GradeResult
from tracker.templates import render

if TYPE_CHECKING:
    from tracker.session import Session

__all__ = ["annotation_lines", "in_actions", "report_to_actions", "summary_markdown"]

_TB_LINE = re.compile(r'File "([^"]+)", line (\d+)')


def in_actions(env: Mapping[str, str] | None = None) -> bool:
    return (env if env is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def _escape(text: str) -> str:
    """Workflow-command data escaping (%, CR, LF), as the runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def annotation_lines(results: Sequence[GradeResult], learner_files: Mapping[str, str]) -> list[str]:
    """``::error`` lines for failed checks; ``learner_files`` maps slug → its main file."""
    lines = []
    for r in results:
        if r.status not in ("fail", "error"):
            continue
        file = learner_files.get(r.slug, "")
        line = ""
        if m := _TB_LINE.search(r.message + "\n" + r.log):
            file, line = m.group(1), m.group(2)
        path = f"exercises/{r.slug}/{file}" if file else f"exercises/{r.slug}"
        props = f"file={_escape_property(path)}" + (f",line={line}" if line else "")
        props += f",title={_escape_property(f'{r.slug}: {r.status}')}"
        bad = r.failing()
        what = "; ".join(f"{c.name} {c.display} (needs {c.threshold})" if c.threshold and c.display
                         else f"{c.name}: {c.message or c.status}" for c in bad[:3]) or r.message
        lines.append(f"::error {props}::{_escape(what)}")
    return lines


def summary_markdown(results: Sequence[tuple[GradeResult, Mapping[str, str]]], *, repo: str | None,
                     server: str, sprint_of: Mapping[str, str]) -> str:
    def issue_link(slug: str) -> str | None:
        sprint = sprint_of.get(slug)
        if not (repo and sprint):
            return None
        query = urllib.parse.quote(f'is:issue label:llm-sprint "[{sprint}]" in:title')
        return f"{server}/{repo}/issues?q={query}"

    rows = [{"result": r, "delta": d, "sprint": sprint_of.get(r.slug), "link": issue_link(r.slug)}
            for r, d in results]
    return render("job_summary.md.j2", rows=rows)


def report_to_actions(session: Session, results: Sequence[tuple[GradeResult, Mapping[str, str]]],
                      env: Mapping[str, str] | None = None) -> None:
    env = env if env is not None else os.environ
    if not in_actions(env):
        return
    from graders.paths import exercise_dir
    from tracker.devcheck import load_meta

    sprint_of = {slug: s.id for _, s in session.roadmap.sprints() for slug in s.exercises}
    learner_files = {}
    for r, _ in results:
        files = load_meta(exercise_dir(r.slug)).files
        if files:
            learner_files[r.slug] = files[0]
    # stderr: the runner reads workflow commands from both streams, and stdout may be `--json` data.
    for line in annotation_lines([r for r, _ in results], learner_files):
        sys.stderr.write(line + "\n")
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        text = summary_markdown(results, repo=session.config.github.repo or env.get("GITHUB_REPOSITORY"),
                                server=env.get("GITHUB_SERVER_URL", "https://github.com"), sprint_of=sprint_of)
        with open(summary_path, "a", encoding="utf-8") as f:
            f.write(text)
