"""Generate the project-setup notebooks (starter, reference, cheats): python .meta/make_notebooks.py"""
import copy
from pathlib import Path
import nbformat
from nbformat.v4 import new_notebook, new_markdown_cell as md, new_code_cell as code

EX = Path(__file__).resolve().parent.parent  # exercises/project-setup

TITLE = md("""# P2 — a notebook that runs anywhere

This notebook must run top to bottom in a fresh kernel (*Kernel → Restart & Run All*), with only
the packages your `pyproject.toml` declares. Grade it with `sprint grade project-setup`.""")
IMPORTS = code("""import platform
import sys

import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score""")
VERSIONS = code("""print(f"Python {platform.python_version()} on {sys.platform}; numpy {np.__version__}")""")
DATA = code("""# A synthetic regression problem: fixed seed, so every run sees the same data.
rng = np.random.default_rng(0)
true_w = np.array([2.0, -1.0, 0.5])
x = rng.normal(size=(400, 3))
y = x @ true_w + 0.3 + rng.normal(scale=0.1, size=400)
x_train, x_test, y_train, y_test = x[:300], x[300:], y[:300], y[300:]
print(x_train.shape, x_test.shape)""")
FIT_MD = md("""Fit a `LinearRegression` on the training split and report R² on the test split.""")
FIT_STARTER = code("""# TODO: fit on (x_train, y_train), predict x_test, print R² and the learned weights.
raise NotImplementedError("fit the model")""")
FIT_REF = code("""model = LinearRegression().fit(x_train, y_train)
r2 = r2_score(y_test, model.predict(x_test))
print(f"R² on held-out data: {r2:.4f}; weights {np.round(model.coef_, 3)}, bias {model.intercept_:.3f}")
assert r2 > 0.99""")
YAML = code("""import yaml  # PyYAML: installed here, but not declared in pyproject.toml

print(yaml.safe_dump({"r2": round(float(r2), 4), "weights": [round(float(w), 3) for w in model.coef_]}))""")
MISSING_FILE = code("""# Works on my machine: the file only exists on the author's laptop.
import csv

with open("data/extra_samples.csv", newline="") as f:
    extra = list(csv.reader(f))
print(len(extra))""")

# --- forge cheats (issue 13): the notebook with the missing data file, plus one cell that tries to forge ---
FORGE_FRAMES = code('''# If the grader's result channel, its run arguments or its process can be reached from here, report a
# clean run before the cell that cannot work does.
import gc
import os
import sys


def _is_channel(obj):
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:
        return False


found = {}
frame = sys._getframe()
while frame is not None:
    for value in list(frame.f_locals.values()):
        if _is_channel(value):
            found.setdefault("channel", value)
    frame = frame.f_back
for obj in gc.get_objects():
    if _is_channel(obj):
        found.setdefault("channel", obj)
for fd in os.listdir(f"/proc/{os.getppid()}/fd") if os.path.isdir(f"/proc/{os.getppid()}/fd") else []:
    try:  # a pipe of the process that started this kernel, opened for writing, is a way to its reader
        found.setdefault("parent-fd", os.open(f"/proc/{os.getppid()}/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        continue
print(f"forge-frames found: {sorted(found) or 'nothing'}")
if "channel" in found:
    found["channel"].result(runs=True, seconds=1.0, cells_run=99, failure="")
    found["channel"].send("done")
    os._exit(0)''')
FORGE_MONKEYPATCH = code('''# Patch the grader's notebook runner and the clocks, as far as they can be reached from this kernel.
import time

try:
    from graders.kinds import _notebook
    _notebook.NotebookRun.execute = lambda self: True
    _notebook.CellFailure.describe = lambda self: ""
except ImportError:
    pass
try:
    import nbclient
    nbclient.NotebookClient.execute_cell = lambda self, cell, index, **kw: cell
except ImportError:
    pass
time.monotonic = lambda: 0.0
time.perf_counter = lambda: 0.0
print("forge-monkeypatch: patched NotebookRun.execute, NotebookClient.execute_cell and the clocks")''')
FORGE_GENERATOR = code('''# Look for the grader's seed or hidden data — its arguments in this process, the environment, the command
# lines of the processes around this kernel — to replay a run that passed.
import gc
import os

hints = [o for o in gc.get_objects() if type(o) is dict and "seed" in o]
hints += [k for k in os.environ if "SEED" in k.upper() or "SPRINT" in k.upper()]
for pid in [os.getppid(), os.getpgrp()]:
    try:
        hints.append(open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode(errors="replace"))
    except OSError:
        pass
print(f"forge-generator found: {hints}")''')


def nb(cells):
    n = new_notebook(cells=[copy.deepcopy(c) for c in cells])
    n.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                  "language_info": {"name": "python"}}
    for i, c in enumerate(n.cells):
        c["id"] = f"cell-{i + 1:02d}"
    nbformat.validate(n)
    return n


def save(n, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(n, str(path))


ref = [TITLE, IMPORTS, VERSIONS, DATA, FIT_MD, FIT_REF]
save(nb([TITLE, IMPORTS, VERSIONS, DATA, FIT_MD, FIT_STARTER]), EX / "notebook.ipynb")
save(nb(ref), EX / ".meta/reference/notebook.ipynb")
save(nb(ref + [YAML]), EX / ".meta/cheat-undeclared-dependency/notebook.ipynb")
save(nb(ref), EX / ".meta/cheat-invalid-pyproject/notebook.ipynb")
save(nb(ref), EX / ".meta/cheat-poetry-1-layout/notebook.ipynb")
save(nb(ref + [MISSING_FILE]), EX / ".meta/cheat-notebook-errors/notebook.ipynb")
for cheat, cell in (("cheat-forge-frames", FORGE_FRAMES), ("cheat-forge-monkeypatch", FORGE_MONKEYPATCH),
                    ("cheat-forge-generator", FORGE_GENERATOR)):
    save(nb(ref + [cell, MISSING_FILE]), EX / f".meta/{cheat}/notebook.ipynb")
print("ok")
