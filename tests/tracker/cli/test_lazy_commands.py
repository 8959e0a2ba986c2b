"""`sprint` imports a command's module only when that command runs, and still lists every command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import sprint
from tracker.cli.app import COMMANDS, GROUPS, app

OTHER_COMMANDS = [f"tracker.cli.{m}" for m in sorted({*COMMANDS.values(), *GROUPS.values()} - {"status"})]


def _modules_after(args: list[str], cwd: Path) -> set[str]:
    code = ("import sys\nfrom tracker.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('MODULES=' + ' '.join(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    return set(proc.stderr.rsplit("MODULES=", 1)[1].split())


def test_status_imports_no_other_command_nor_what_only_they_use(workspace: Path) -> None:
    loaded = _modules_after(["status", "--json"], workspace)
    assert "tracker.cli.status" in loaded
    assert not [m for m in OTHER_COMMANDS if m in loaded]
    # what board, sync, dev check and grade need, and status does not
    assert not loaded & {"tracker.sync", "tracker.sync.github", "tracker.devcheck", "tracker.grading",
                         "tracker.release", "rich.table", "rich.progress", "watchfiles", "textual"}


def test_help_lists_every_command_with_its_help() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.output.split("Commands:", 1)[1].splitlines() if line.strip()]
    assert listed == [*COMMANDS, *GROUPS]
    for line in result.output.split("Commands:", 1)[1].splitlines():
        if line.strip():
            assert len(line.split()) > 1, f"no help text: {line!r}"


@pytest.mark.parametrize("name", [*COMMANDS, *GROUPS])
def test_every_listed_command_is_defined_where_the_table_says(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: sprint {name}" in result.output


def test_a_typo_is_answered_with_the_nearest_command() -> None:
    proc = sprint("statu")
    assert proc.returncode == 2
    assert "Did you mean 'status'?" in proc.stderr
