"""A fresh clone is self-contained: nothing in it reads or names a path outside the checkout.

CI keeps a ``shared/`` folder beside the clone (seed documents, GitHub's contract); a newcomer's
clone has none, so a file that reaches for it passes CI and fails everyone else. These tests keep
that from creeping back: they read every tracked file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.fakes.github import contract

ROOT = Path(__file__).resolve().parents[1]

# Built from parts so this file does not name the folder it forbids.
_SIBLING = "shared"
FORBIDDEN = re.compile(
    r"\.\./+" + _SIBLING + r"\b"  # the folder beside the checkout, by relative path
    r"|\b" + _SIBLING + r"/(?:seeds|github-contract)\b"  # ... or by what CI keeps in it
    r"|[\"']" + _SIBLING + r"[\"']\s*/"  # ... or built with pathlib: parents[3].parent / "<folder>" / ...
)
# A relative path in a file, one or more "../" then a name (a bare ".." is left alone).
RELATIVE = re.compile(r"(?:\.\./)+[\w.-][\w./-]*")


def tracked_files() -> list[Path]:
    """Every file git tracks (or, outside a git checkout, every file but caches and venvs)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
        return [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]
    return [ROOT / name for name in out.decode().split("\0") if name and (ROOT / name).is_file()]


def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # binary


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def test_no_tracked_file_names_the_folder_beside_the_checkout() -> None:
    problems = []
    for path in tracked_files():
        text = text_of(path)
        if text is None:
            continue
        for match in FORBIDDEN.finditer(text):
            problems.append(f"{path.relative_to(ROOT)}:{line_of(text, match.start())}: {match.group()!r}")
    assert not problems, "files that reach outside the checkout:\n" + "\n".join(problems)


def test_no_relative_path_in_a_tracked_file_climbs_out_of_the_checkout() -> None:
    problems = []
    for path in tracked_files():
        text = text_of(path)
        if text is None:
            continue
        for match in RELATIVE.finditer(text):
            target = os.path.normpath(path.parent / match.group())
            if not Path(target).is_relative_to(ROOT):
                problems.append(f"{path.relative_to(ROOT)}:{line_of(text, match.start())}: {match.group()!r}")
    assert not problems, "relative paths that leave the checkout:\n" + "\n".join(problems)


def test_the_fake_github_reads_the_contract_bundled_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLM_SPRINT_GITHUB_CONTRACT", raising=False)
    folder = contract.contract_dir()
    assert folder.is_relative_to(ROOT)
    assert (folder / "github-rest-openapi-subset.json").is_file()
    assert (folder / "github-graphql-schema.graphql").is_file()
    assert (folder / "README.md").is_file()


def test_the_contract_folder_can_still_be_pointed_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LLM_SPRINT_GITHUB_CONTRACT", str(tmp_path))
    assert contract.contract_dir() == tmp_path


def test_the_forbidden_pattern_catches_what_it_is_meant_to() -> None:
    # Guards the guard: a pattern that matches nothing would pass forever.
    sibling = "../" + _SIBLING
    assert FORBIDDEN.search(f'Path(__file__).parents[3] / "{sibling}/github-contract"')
    assert FORBIDDEN.search(f"# see {sibling}/seeds/000")
    assert FORBIDDEN.search(f'Path(__file__).resolve().parents[3].parent / "{_SIBLING}" / "github-contract"')
    assert not FORBIDDEN.search("the shared CPU")
    up = "../"
    assert RELATIVE.search(f"cat {up * 2}etc/passwd")


def test_refreshing_the_rest_subset_from_itself_reproduces_it_byte_for_byte(tmp_path: Path) -> None:
    # The refresh tool keeps exactly the operations the fake serves and what they reference, so
    # cutting the bundled subset again must change nothing (a dropped component would show here).
    from tests.fakes.github import contract_refresh

    bundled = contract.BUNDLED_CONTRACT_DIR / contract_refresh.REST_FILE
    info = json.loads(bundled.read_text(encoding="utf-8"))["info"]
    contract_refresh.main(["--rest", str(bundled), "--source", info["version"], "--out", str(tmp_path)])
    assert (tmp_path / contract_refresh.REST_FILE).read_bytes() == bundled.read_bytes()
