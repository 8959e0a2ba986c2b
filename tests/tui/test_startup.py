"""Start-up: no torch / transformers / sentence-transformers in the dashboard's process; the first
paint reads only what is cheap (the cached roadmap, the latest attempts — never the ledger history,
no sparkline); the CLI command is registered and cheap to import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tests.tui.support import REPO, TODAY, record_history
from tracker.workspace import Workspace

HEAVY = ("torch", "transformers", "sentence_transformers")

START_APP = """
import datetime as dt, json, sys
from pathlib import Path
from tracker.tui.app import DashApp
from tracker.tui.context import DashContext

def painted(app):
    print(json.dumps({"heavy": [m for m in HEAVY if m in sys.modules], "screen": type(app.screen).__name__,
                      "cards": len(app.screen.query("SprintCard"))}))
    app.exit()

app = DashApp(DashContext.open(Path(sys.argv[1]), today=dt.date.fromisoformat(sys.argv[2])), on_first_paint=painted)
app.run(headless=True, size=(160, 48))
"""


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_no_heavy_modules_after_the_app_starts(workspace: Workspace) -> None:
    code = START_APP.replace("HEAVY", repr(HEAVY))
    out = subprocess.run([sys.executable, "-c", code, str(workspace.root), TODAY.isoformat()], capture_output=True,
                         text=True, timeout=120, env=child_env(), check=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert report == {"heavy": [], "screen": "KanbanScreen", "cards": 3}


FIRST_PAINT = """
import datetime as dt, json, sys
from pathlib import Path
from tracker.ledger import Ledger
from tracker.tui.app import DashApp
from tracker.tui.context import DashContext

histories = []
real_history = Ledger.history
def history(self, *args, **kwargs):
    histories.append(args)
    return real_history(self, *args, **kwargs)
Ledger.history = history

def painted(app):
    late = ("yaml", "graders.kinds", "tracker.tui.screens.detail", "tracker.tui.widgets.exercise",
            "textual.widgets._sparkline")
    print(json.dumps({"histories": len(histories), "cards": len(app.screen.query("SprintCard")),
                      "loaded": sorted(m for m in sys.modules if m.startswith(late))}))
    app.exit()

app = DashApp(DashContext.open(Path(sys.argv[1]), today=dt.date.fromisoformat(sys.argv[2])), on_first_paint=painted)
app.run(headless=True, size=(160, 48))
"""


def test_the_first_paint_reads_no_history_and_a_known_roadmap_is_not_parsed_again(workspace: Workspace) -> None:
    record_history(workspace)  # csv-to-json has attempts: the board shows the last one, the history waits

    def start() -> dict[str, object]:
        out = subprocess.run([sys.executable, "-c", FIRST_PAINT, str(workspace.root), TODAY.isoformat()],
                             capture_output=True, text=True, timeout=120, env=child_env(), check=True).stdout
        return dict(json.loads(out.strip().splitlines()[-1]))

    first = start()  # validates the roadmap (YAML, every grader kind) and caches it
    assert first["histories"] == 0 and first["cards"] == 3
    assert "yaml" in first["loaded"]  # type: ignore[operator]
    again = start()
    assert again == {"histories": 0, "cards": 3, "loaded": []}


def test_the_cli_module_does_not_import_textual() -> None:
    code = "import sys, tracker.cli.dash; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=child_env(),
                         check=True).stdout
    assert out.strip() == "False"


def test_sprint_dash_is_a_command() -> None:
    from tracker.cli.app import app

    result = CliRunner().invoke(app, ["dash", "--help"])
    assert result.exit_code == 0, result.output
    assert "dashboard" in result.output and "--workspace" in result.output


def test_sprint_dash_rejects_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", "from tracker.cli.app import main; main()", "dash", "-w",
                             str(tmp_path)], capture_output=True, text=True, timeout=60, env=child_env())
    assert result.returncode == 2, result.stderr
    assert "not an llm-sprint workspace" in " ".join(result.stderr.split())
