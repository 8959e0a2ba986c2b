"""One version, everywhere: `sprint --version`, the pin `sprint init` writes, the composite action's
default, the changelog; a workspace set up by another llm-sprint says so, and `sprint upgrade` moves it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from tests.helpers import REPO, sprint
from tracker import __version__
from tracker.workflow import REQUIREMENTS_PATH, WORKFLOW_PATH, requirement, workflow_files

GIT_ID = ["-c", "user.name=Learner", "-c", "user.email=learner@example.invalid"]


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def set_pin(ws: Path, line: str) -> None:
    path = ws / REQUIREMENTS_PATH
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^llm-sprint.*$", line, text, count=1, flags=re.M), encoding="utf-8")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    proc = sprint("init", str(root))
    assert proc.returncode == 0, proc.stderr
    return root


def test_the_rendered_workflow_pins_the_version_sprint_version_prints(ws: Path) -> None:
    printed = sprint("--version")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == f"llm-sprint {__version__}"
    version = printed.stdout.split()[-1]
    pins = (ws / REQUIREMENTS_PATH).read_text(encoding="utf-8").splitlines()
    assert f"llm-sprint[all]=={version}" in pins
    workflow = (ws / WORKFLOW_PATH).read_text(encoding="utf-8")
    assert f"llm-sprint {version};" in workflow and f"-r {REQUIREMENTS_PATH.as_posix()}" in workflow
    assert "CI installs" not in sprint("status", cwd=ws).stdout


def test_the_composite_action_installs_its_own_release_by_default() -> None:
    action = yaml.safe_load((REPO / ".github/actions/sprint/action.yml").read_text(encoding="utf-8"))
    assert action["inputs"]["package"]["default"] == requirement(__version__)
    usage = (REPO / ".github/actions/sprint/action.yml").read_text(encoding="utf-8")
    assert re.findall(r"actions/sprint@v([\w.]+)", usage) == [__version__]


def test_the_version_is_a_release_pypi_serves_and_the_changelog_has_its_section() -> None:
    version = Version(__version__)  # a learner's workspace pins it: it must be a published, installable version
    assert not version.is_devrelease and version.local is None, __version__
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M), \
        f"CHANGELOG.md has no section for {__version__}"
    notes = subprocess.run(["python3", str(REPO / ".ci/release-notes"), __version__], capture_output=True, text=True)
    assert notes.returncode == 0 and notes.stdout.strip(), notes.stderr
    assert not notes.stdout.startswith("## ") and "## [" not in notes.stdout  # the section's body alone
    missing = subprocess.run(["python3", str(REPO / ".ci/release-notes"), "99.0.0"], capture_output=True, text=True)
    assert missing.returncode == 2 and "no section" in missing.stderr


def test_a_workspace_set_up_by_an_older_version_says_so_and_upgrade_moves_it(ws: Path) -> None:
    requirements = ws / REQUIREMENTS_PATH
    requirements.write_text(requirements.read_text(encoding="utf-8") + "numpy==2.1.0  # my own\n", encoding="utf-8")
    set_pin(ws, "llm-sprint[all,github]==0.0.1")
    (ws / WORKFLOW_PATH).write_text("name: sprint  # what 0.0.1 wrote\n", encoding="utf-8")
    status = sprint("status", cwd=ws)
    notes = [line for line in status.stdout.splitlines() if "CI installs" in line]
    assert notes == [f"! CI installs llm-sprint 0.0.1, you run {__version__}: `sprint upgrade` moves CI to "
                     f"{__version__}"], status.stdout
    assert sprint("status", "--json", cwd=ws).stdout.count("sprint upgrade") == 1

    before = snapshot(ws)
    dry = sprint("upgrade", "--dry-run", cwd=ws)
    assert dry.returncode == 0, dry.stderr
    assert "-llm-sprint[all,github]==0.0.1" in dry.stdout and f"+llm-sprint[all,github]=={__version__}" in dry.stdout
    assert snapshot(ws) == before

    done = sprint("upgrade", cwd=ws)
    assert done.returncode == 0, done.stderr
    lines = requirements.read_text(encoding="utf-8").splitlines()
    assert f"llm-sprint[all,github]=={__version__}" in lines  # the learner's extras are kept...
    assert "numpy==2.1.0  # my own" in lines  # ...and their own lines
    assert (ws / WORKFLOW_PATH).read_text(encoding="utf-8") == workflow_files()[WORKFLOW_PATH]
    assert "CI installs" not in sprint("status", cwd=ws).stdout
    again = sprint("upgrade", cwd=ws)
    assert again.returncode == 0 and "nothing to change" in again.stdout


def test_upgrade_puts_back_missing_workflow_files(ws: Path) -> None:
    (ws / WORKFLOW_PATH).unlink()
    (ws / REQUIREMENTS_PATH).write_text("# llm-sprint removed by hand\n", encoding="utf-8")
    done = sprint("upgrade", cwd=ws)
    assert done.returncode == 0, done.stderr
    assert "created .github/workflows/sprint.yml" in done.stdout
    assert (ws / REQUIREMENTS_PATH).read_text(encoding="utf-8").splitlines() == [
        "# llm-sprint removed by hand", requirement(__version__)]


@pytest.mark.parametrize(("line", "says"), [
    ("llm-sprint[all]==99.0", "newer than the"),
    ("llm-sprint[all]==banana", "is not a valid requirement"),
    ("llm-sprint @ git+https://example.invalid/llm-sprint", "installed from git+https://example.invalid"),
])
def test_upgrade_refuses_bad_input_with_the_file_and_line_and_changes_nothing(ws: Path, line: str, says: str) -> None:
    set_pin(ws, line)
    before = snapshot(ws)
    proc = sprint("upgrade", cwd=ws)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    message = " ".join(proc.stderr.split())
    assert says in message and f"{REQUIREMENTS_PATH.as_posix()}:4" in message, message
    assert snapshot(ws) == before
    status = sprint("status", cwd=ws)
    assert status.returncode == 0, status.stderr  # status still works, with one line about it (or none for a URL)
    assert len([line for line in status.stdout.splitlines() if line.startswith("! ")]) == (0 if "@" in line else 1)


def test_a_newer_pin_tells_the_learner_to_upgrade_llm_sprint_itself(ws: Path) -> None:
    set_pin(ws, "llm-sprint[all]==99.0")
    status = sprint("status", cwd=ws)
    assert f"! CI installs llm-sprint 99.0, newer than your {__version__}: pip install -U 'llm-sprint[all]==99.0'" \
        in status.stdout


def test_upgrade_leaves_uncommitted_workflow_edits_alone(ws: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(ws)], check=True)
    subprocess.run(["git", *GIT_ID, "-C", str(ws), "add", "-A"], check=True)
    subprocess.run(["git", *GIT_ID, "-C", str(ws), "commit", "-qm", "init"], check=True)
    set_pin(ws, "llm-sprint[all]==0.0.1")  # an older workspace, with an edit not yet committed
    before = snapshot(ws)
    proc = sprint("upgrade", cwd=ws)
    assert proc.returncode == 2 and "has not committed" in " ".join(proc.stderr.split()), proc.stderr
    assert snapshot(ws) == before
    subprocess.run(["git", *GIT_ID, "-C", str(ws), "commit", "-qam", "pin 0.0.1"], check=True)
    assert sprint("upgrade", cwd=ws).returncode == 0
    diff = subprocess.run(["git", "-C", str(ws), "diff", "--stat"], capture_output=True, text=True).stdout
    assert "sprint-requirements.txt" in diff  # reviewable with git diff


def test_upgrade_outside_a_workspace_is_bad_input(tmp_path: Path) -> None:
    proc = sprint("upgrade", cwd=tmp_path)
    assert proc.returncode == 2 and "sprint init" in proc.stderr


V = __version__
PIN_FILES = [
    (f"llm-sprint[all]=={V}\n", True),
    (f"# a comment\nnumpy==2.1.0\nllm-sprint=={V}  # mine\n", True),
    (f"llm-sprint[all,github]=={V}\n", True),
    (f"llm_sprint[all]=={V}\n", False),
    (f"LLM-Sprint[all]=={V}\n", False),
    (f"llm-sprint[all]=={V}.0\n", False),
    (f"llm-sprint[all]=={V} ; python_version >= '3.11'\n", False),
    (f"llm-sprint[all]>={V}\n", False),
    (f"llm-sprint[all] == {V}\n", False),
    ("llm-sprint[all]==0.0.1\n", False),
    ("llm-sprint[all]==99.0\n", False),
    (f"llm-sprint[all=={V}\n", False),
    ("llm-sprint @ https://example.invalid/llm_sprint-0.1.0-py3-none-any.whl\n", False),
    (f"llm-sprint-extra==1.0\nllm-sprint[all]=={V}\n", True),
    (f"llm.sprint==0.0.1\nllm-sprint[all]=={V}\n", False),
    (f"llm-sprint[all]=={V}\nllm-sprint[all]==0.0.1\n", True),
    ("numpy==2.1.0\n", False),
    ("", False),
]


@pytest.mark.parametrize(("text", "exact"), PIN_FILES)
def test_the_quick_look_at_the_pin_agrees_with_parsing_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          text: str, exact: bool) -> None:
    """`sprint status` skips `packaging` when the pin is exactly the one this version writes."""
    import tracker.upgrade as upgrade

    path = tmp_path / REQUIREMENTS_PATH
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    assert upgrade._pins_running(tmp_path, V) is exact
    quick = upgrade.version_note(tmp_path)
    monkeypatch.setattr(upgrade, "_pins_running", lambda root, running: False)
    assert quick == upgrade.version_note(tmp_path)
    if exact:
        assert quick is None
