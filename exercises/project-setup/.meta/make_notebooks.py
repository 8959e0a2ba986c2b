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
print("ok")
