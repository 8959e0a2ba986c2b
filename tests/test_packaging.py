"""The wheel a learner installs: what grading needs, no answers, and it grades from a fresh virtualenv.

The wheel is built from this checkout the way the release workflow builds it (``python -m build``,
hatchling; no isolation, so no network for the build backend). Its file list is held to the
purpose of each file: all the code; every exercise's README and starter files; from ``.meta/``
exactly ``config.yaml`` and the modules the exercise's kind reads (``Grader.meta_files``) — never a
reference, a cheat or an authoring script.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from graders.registry import get_kind
from tests.helpers import REPO
from tracker import __version__
from tracker.roadmap import load_roadmap
from tracker.workflow import REQUIREMENTS_PATH, requirement

LIBRARY = "graders/_library"
CACHES = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def source_files(folder: str) -> set[str]:
    """Files under ``folder`` of the checkout as the build sees them (git's view: tracked or untracked
    but not ignored; outside a git checkout, every file but caches), relative to the repository."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", folder],
                             cwd=REPO, capture_output=True, check=True).stdout.decode()
        names = {n for n in out.split("\0") if n and (REPO / n).is_file()}
    except (OSError, subprocess.CalledProcessError):
        names = {p.relative_to(REPO).as_posix() for p in (REPO / folder).rglob("*") if p.is_file()}
    return {n for n in names if not CACHES & set(PurePosixPath(n).parts) and not n.endswith((".pyc", ".pyo"))}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout; or, with ``LLM_SPRINT_WHEEL=FILE``, that wheel (the release
    workflow checks the very file it is about to publish)."""
    if prebuilt := os.environ.get("LLM_SPRINT_WHEEL"):
        return Path(prebuilt).resolve()
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_holds_what_grading_reads_and_no_answers(wheel: Path) -> None:
    assert wheel.name == f"llm_sprint-{__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    # No answers: no reference, no cheat, no authoring script, anywhere.
    leaks = sorted(n for n in names if "/.meta/" in n and PurePosixPath(n.split("/.meta/", 1)[1]).parts[0]
                   not in {"config.yaml", "cases.py", "pairs.py", "probes.py", "kb.py"})
    assert not leaks, f"authoring files in the wheel: {leaks}"
    assert not [n for n in names if "reference" in PurePosixPath(n).parts or "cheat" in n], "an answer shipped"
    # All the code, with its templates and data files.
    code = source_files("tracker") | source_files("graders")
    assert code and not code - names, f"missing from the wheel: {sorted(code - names)}"
    assert f"{LIBRARY}/roadmap.yaml" in names
    # Every exercise: its README and starters, and from .meta/ exactly what grading reads.
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    shipped = 0
    for ex in roadmap.exercises:
        folder = f"exercises/{ex.slug}"
        if not (REPO / folder).is_dir():
            continue  # not yet available
        shipped += 1
        files = source_files(folder)
        starters = {n for n in files if "/.meta/" not in n}
        assert f"{folder}/README.md" in starters
        missing = {f"{LIBRARY}/{n}" for n in starters} - names
        assert not missing, f"{ex.slug}: starter files missing from the wheel: {sorted(missing)}"
        kind = get_kind(ex.kind)
        assert kind is not None, ex.kind
        reads = {"config.yaml", *kind.meta_files(kind.Params.model_validate(ex.params))}
        for name in reads:
            assert (REPO / folder / ".meta" / name).is_file(), f"{ex.slug}: grading reads .meta/{name}: missing"
        in_wheel = {n.split("/.meta/", 1)[1] for n in names if n.startswith(f"{LIBRARY}/{folder}/.meta/")}
        assert in_wheel == reads, (
            f"{ex.slug}: the wheel's .meta/ holds {sorted(in_wheel)}, grading reads {sorted(reads)}; a file that "
            "grading reads goes in pyproject.toml's wheel `exclude` allow-list (and Grader.meta_files), nothing else")
    assert shipped >= 10
    # Nothing else rides along: only the two packages and the metadata.
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"tracker", "graders", f"llm_sprint-{__version__}.dist-info"}, tops
    entry_points = zipfile.ZipFile(wheel).read(f"llm_sprint-{__version__}.dist-info/entry_points.txt").decode()
    assert "sprint = tracker.cli:main" in entry_points
    assert "function = graders.kinds.function:FunctionGrader" in entry_points


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str],
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_a_fresh_virtualenv_with_the_wheel_inits_and_grades_a_correct_solution(wheel: Path, tmp_path: Path) -> None:
    """The base install of the built wheel alone (csv-to-json needs no extra), run from outside the checkout."""
    venv = tmp_path / "venv"
    # No pip of its own (ensurepip costs seconds): this interpreter's pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python, sprint = venv / "bin" / "python", venv / "bin" / "sprint"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "LLM_SPRINT_LIBRARY",
                                                            "SPRINT_WORKSPACE")}
    env.update(NO_COLOR="1", COLUMNS="160", PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    install = _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--disable-pip-version-check",
                    wheel], cwd=tmp_path, env=env)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    where = _run([python, "-c", "import importlib.util as u, tracker, graders.paths as p; "
                  "print(tracker.__file__, p.library_root(), u.find_spec('torch'), u.find_spec('transformers'))"],
                 cwd=tmp_path, env=env)
    assert where.returncode == 0, where.stderr
    tracker_file, library, torch, transformers = where.stdout.split()
    assert tracker_file.startswith(str(venv)) and library.startswith(str(venv)), where.stdout  # the wheel, not REPO
    assert (torch, transformers) == ("None", "None"), "the base install pulled torch or transformers"

    version = _run([sprint, "--version"], cwd=tmp_path, env=env)
    assert version.returncode == 0 and version.stdout.strip() == f"llm-sprint {__version__}", version.stdout

    init = _run([sprint, "init", "ws"], cwd=tmp_path, env=env)
    assert init.returncode == 0, init.stdout + init.stderr
    ws = tmp_path / "ws"
    assert not list(ws.rglob(".meta")), "a .meta folder reached the learner"
    pins = (ws / REQUIREMENTS_PATH).read_text(encoding="utf-8").splitlines()
    assert requirement(__version__) in pins  # the learner's CI installs the version they ran

    # The learner writes a correct solution (the reference, copied in as they would type it).
    shutil.copyfile(REPO / "exercises/csv-to-json/.meta/reference/data_loader.py",
                    ws / "exercises/csv-to-json/data_loader.py")
    grade = _run([sprint, "grade", "csv-to-json", "--json"], cwd=ws, env=env)
    assert grade.returncode == 0, grade.stdout[-3000:] + grade.stderr[-3000:]
    result = json.loads(grade.stdout)  # one slug: one result
    assert result["slug"] == "csv-to-json" and result["status"] == "pass", result
    assert {c["name"]: c["status"] for c in result["checks"]} == {"accuracy": "pass", "runtime": "pass"}

    status = _run([sprint, "status"], cwd=ws, env=env)
    assert status.returncode == 0 and "CI installs" not in status.stdout, status.stdout  # same version: no note

    # The authoring check needs the references, which the wheel does not carry: it says so, exit 2.
    dev = _run([sprint, "dev", "check", "csv-to-json"], cwd=ws, env=env)
    assert dev.returncode == 2, dev.stdout + dev.stderr
    assert "installed from a wheel" in " ".join(dev.stderr.split()) and "source checkout" in dev.stderr
