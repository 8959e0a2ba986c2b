"""`sprint cohort` from the command line: the cohort file's problems, the outputs, and no torch."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cohort import support as S
from tests.cohort.conftest import Mentor
from tests.helpers import sprint
from tracker.cohort.config import parse_cohort
from tracker.errors import CohortFileError

RM = S.roadmap()


def problems(text: str) -> list[str]:
    with pytest.raises(CohortFileError) as raised:
        parse_cohort(text, "cohort.yaml")
    return [str(p) for p in raised.value.problems]


def test_every_problem_of_a_cohort_file_is_located() -> None:
    found = problems("version: 1\nroadmap: roadmap.yaml\nstart: 2026-13-01\n")
    assert found == ["cohort.yaml:3:8: not a valid date (month must be in 1..12) — write a date as YYYY-MM-DD"]
    found = problems("roadmap: roadmap.yaml\nrepositories:\n  - alice/llm\n  - {repo: bad name, nme: x}\n"
                     "  - Alice/LLM\norganization: -bad\ntopic: UPPER\ncolour: red\n")
    assert found == [
        "cohort.yaml:4:12 [repositories.1.repo]: 'bad name' is not a valid repo — write OWNER/NAME, e.g. "
        "alice/llm-sprint",
        "cohort.yaml:4:22 [repositories.1.nme]: unknown key 'nme' — allowed here: repo, name",
        "cohort.yaml:5:5 [repositories.2]: Alice/LLM is listed twice (first as item 1) — remove one of them",
        "cohort.yaml:6:15 [organization]: '-bad' is not a valid organization — an organization's login, e.g. "
        "llm-sprint-2026",
        "cohort.yaml:7:8 [topic]: 'UPPER' is not a valid topic — GitHub topics are lowercase letters, digits and "
        "dashes (at most 50), e.g. llm-sprint-2026",
        "cohort.yaml:8:1 [colour]: unknown key 'colour' — allowed here: version, title, roadmap, start, "
        "repositories, organization, topic, exclude, github",
    ]
    assert problems("title: x\nrepositories: [a/b]\n") == [
        "cohort.yaml:1:1 [roadmap]: missing required key 'roadmap' — the roadmap the cohort follows, e.g. roadmap: "
        "roadmap.yaml"]
    assert problems("roadmap: r.yaml\n") == [
        "cohort.yaml:1:1: the cohort names no repository: add `repositories:`, `organization:` or `topic:` — see "
        "README: For mentors"]
    assert problems("roadmap: r.yaml\nroadmap: s.yaml\nrepositories: [a/b]\n")[0].startswith(
        "cohort.yaml:2:1 [roadmap]: duplicate key 'roadmap'")
    assert problems("- just\n- a list\n")[0].startswith("cohort.yaml:1:1: a cohort file is a mapping")
    assert problems("roadmap: [unclosed\n")[0].startswith("cohort.yaml:2:1: YAML syntax error")


def test_a_valid_cohort_file() -> None:
    cohort = parse_cohort("title: Spring\nroadmap: ../roadmap.yaml\nstart: 2026-01-05\nrepositories:\n"
                          "  - alice/llm-sprint\n  - {repo: bob/roadmap, name: Bob}\n  - carol/x\n"
                          "topic: llm-sprint-2026\norganization: class-2026\nexclude: [carol/x]\n",
                          Path("/m/cohort.yaml"))
    assert [lr.repo for lr in cohort.learners] == ["alice/llm-sprint", "bob/roadmap"]
    assert cohort.names() == {"bob/roadmap": "Bob"}
    assert cohort.roadmap_path == Path("/m/../roadmap.yaml") and cohort.state_dir == Path("/m/.sprint")
    assert cohort.search_query == "topic:llm-sprint-2026 org:class-2026 fork:true"


def test_bad_input_exits_2_and_changes_nothing(mentor: Mentor) -> None:
    mentor.cohort.write_text("roadmap: roadmap.yaml\nrepositories:\n  - not a repo\n", encoding="utf-8")
    proc = sprint("cohort", str(mentor.cohort), env=mentor.env())
    assert proc.returncode == 2
    assert f"{mentor.cohort}:3:5 [repositories.0.repo]: 'not a repo' is not a valid repo" in proc.stderr
    assert not (mentor.folder / ".sprint").exists() and mentor.fake.counters.requests == 0
    mentor.cohort.write_text("roadmap: nowhere.yaml\nrepositories: [a/b]\n", encoding="utf-8")
    proc = sprint("cohort", str(mentor.cohort), env=mentor.env())
    assert proc.returncode == 2 and "nowhere.yaml: file not found" in proc.stderr
    proc = sprint("cohort", str(mentor.folder / "missing.yaml"), env=mentor.env())
    assert proc.returncode == 2 and "missing.yaml: file not found" in proc.stderr
    assert not (mentor.folder / ".sprint").exists()


def test_the_cohort_command_prints_the_table_json_csv_and_digest(mentor: Mentor) -> None:
    states = S.seed_cohort(mentor.fake, RM)
    mentor.write(list(states))
    env = mentor.env()
    text = sprint("cohort", str(mentor.cohort), env=env)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "Spring cohort — 2026-11-22: 5 learner(s), 5 repositories not read"
    header = next(line for line in lines if line.startswith("learner"))
    assert header.split()[:6] == ["learner", "wk", "done", "P0", "P1", "P2"]
    ben = next(line for line in lines if line.startswith("ben/llm-sprint"))
    assert ben.split()[:6] == ["ben/llm-sprint", "7", "2/12", "✓", "✓", "~"] and "5 wk (W1-2, W3-4, W5-6)" in ben
    assert any(line.startswith("  hal/llm-sprint: progress.json is progress format version 2") for line in lines)
    assert lines[-1].startswith("read: cold, 1 request(s)")

    again = sprint("cohort", str(mentor.cohort), "--json", env=env)
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert data["look"]["mode"] == "warm" and data["look"]["requests"] == 1 and data["changes"] == []
    assert {d["repo"] for d in data["learners"]} == {f"{n}/llm-sprint" for n in ("ann", "ben", "cat", "dan", "ivy")}

    table = sprint("cohort", str(mentor.cohort), "--csv", "--offline", env={**env, "GITHUB_TOKEN": ""})
    assert table.returncode == 0, table.stderr
    rows = list(csv.reader(io.StringIO(table.stdout)))
    assert rows[0][:4] == ["repo", "name", "state", "week"] and len(rows) == 11

    digest = sprint("cohort", str(mentor.cohort), "--digest", env=env)
    assert digest.returncode == 0, digest.stderr
    assert digest.stdout.startswith("# Spring cohort — weekly review")
    assert "## Regressed\n- **dan/llm-sprint**: csv-to-json: accuracy 80% (needs >= 100 %)" in digest.stdout

    assert sprint("cohort", str(mentor.cohort), "--json", "--csv", env=env).returncode == 2
    week = sprint("cohort", str(mentor.cohort), "--digest", "--week", "3", env=env)
    assert week.returncode == 2 and "--week needs the cohort's `start:`" in week.stderr


def test_a_token_that_github_refuses_is_one_clear_error(mentor: Mentor) -> None:
    mentor.write(["ann/llm-sprint"])
    proc = sprint("cohort", str(mentor.cohort), env=mentor.env("ghp_wrong"))
    assert proc.returncode == 2
    assert "401" in proc.stderr and "GITHUB_TOKEN" in proc.stderr and "ghp_wrong" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_cohort_and_digest_commands_never_import_torch(mentor: Mentor, workspace: Path) -> None:
    states = S.seed_cohort(mentor.fake, RM)
    mentor.write(list(states))
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        f"for args in (['cohort', {str(mentor.cohort)!r}, '--json'], ['cohort', {str(mentor.cohort)!r}, '--digest'],"
        f" ['digest', '-w', {str(workspace)!r}]):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**mentor.env(), "PATH": "/usr/bin:/bin", "SPRINT_TODAY": "2026-11-22"})
    assert "HEAVY=" in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.rsplit("HEAVY=", 1)[1].strip() == ""


def test_the_readmes_example_is_what_sprint_cohort_prints(mentor: Mentor) -> None:
    from tests.helpers import FIXED_TODAY, REPO
    from tracker.cohort.look import look
    from tracker.cohort.text import render_report

    mentor.write(list(S.seed_cohort(mentor.fake, RM)))
    lk = look(mentor.cohort, today=FIXED_TODAY, env=mentor.env())
    shown = render_report(lk.view, changes=lk.changes, since=lk.since, problems=lk.problems)
    lk.close()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- cohort-example:start -->\n```text\n", 1)[1].split("```\n<!-- cohort-example:end", 1)[0]
    assert block == shown
