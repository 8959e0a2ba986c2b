"""Kind ``notebook`` on mini-transformer: golden verdicts; the shared notebook runner, the hidden
probes and the explanation heuristic tested directly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graders.kinds._meta import load_meta_module
from graders.kinds._notebook import NotebookRun, imported_modules, read_cells
from graders.kinds.notebook import explanation_gaps
from graders.paths import exercise_dir
from tests.graders.kinds.golden import assert_golden

LIBRARY = exercise_dir("mini-transformer")
NOTEBOOK = "mini_transformer.ipynb"


def _probes():  # type: ignore[no-untyped-def]
    return load_meta_module(LIBRARY / ".meta" / "probes.py")


def _notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "cells": [{"cell_type": t, "id": f"c{i}", "metadata": {}, "source": s,
                     **({"outputs": [], "execution_count": None} if t == "code" else {})}
                    for i, (t, s) in enumerate(cells)]}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@pytest.mark.slow
def test_mini_transformer_verdicts_match_golden() -> None:
    verdicts = assert_golden("mini-transformer")
    assert all(v["ok"] for v in verdicts.values()), {k: v["problems"] for k, v in verdicts.items() if not v["ok"]}
    assert verdicts["reference"]["checks"] == {"notebook_runs": "pass", "max_abs_error": "pass",
                                               "explains_complexity": "pass"}
    assert verdicts["starter"]["status"] == "fail"
    assert verdicts["cheat-no-causal-mask"]["checks"]["notebook_runs"] == "pass"
    assert verdicts["cheat-no-explanation"]["checks"]["max_abs_error"] == "pass"


def test_explanation_heuristic_on_the_library_notebooks() -> None:
    groups = _probes().EXPLANATION
    reference = read_cells(LIBRARY / ".meta" / "reference" / NOTEBOOK)
    assert explanation_gaps(reference, groups) == []
    starter = read_cells(LIBRARY / NOTEBOOK)
    assert explanation_gaps(starter, groups)  # the placeholder and the headings are not an explanation
    russian = [("markdown", "Внимание стоит O(n^2): матрица n×n. FlashAttention считает по тайлам в SRAM.")]
    assert explanation_gaps(russian, groups) == []
    heading_only = [("markdown", "## Why attention is O(n²) and how FlashAttention uses tiling")]
    assert len(explanation_gaps(heading_only, groups)) == 3


def test_probes_reference_agrees_with_torch_modules() -> None:
    torch = pytest.importorskip("torch")
    probes = _probes()
    inputs = probes.make_inputs(5)
    assert torch.equal(inputs["x"], probes.make_inputs(5)["x"])
    assert not torch.equal(inputs["x"], probes.make_inputs(6)["x"])
    want = probes.expected(inputs)
    # The causal reference is what torch's own kernel computes; the block is a pre-LN GPT-2 block.
    q, k, v = inputs["attn_causal.q"], inputs["attn_causal.k"], inputs["attn_causal.v"]
    sdpa = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert torch.allclose(want["attn_causal"].float(), sdpa, atol=1e-5)
    assert not torch.allclose(want["attn_full"].float(), torch.nn.functional.scaled_dot_product_attention(
        inputs["attn_full.q"], inputs["attn_full.k"], inputs["attn_full.v"], is_causal=True), atol=1e-3)
    assert want["block_causal"].shape == inputs["x"].shape


def test_compare_outputs_reports_missing_and_broken_outputs() -> None:
    torch = pytest.importorskip("torch")
    from graders.kinds.notebook_measure import compare_outputs

    want = {"a": torch.zeros(2, 3), "b": torch.ones(2)}
    assert compare_outputs({"a": torch.zeros(2, 3), "b": torch.ones(2)}, want) == (0.0, [])
    err, problems = compare_outputs({"a": torch.full((2, 3), 0.5), "b": torch.ones(2)}, want)
    assert err == 0.5 and problems == ["a: max error 5.00e-01"]
    err, problems = compare_outputs({"a": "<NoneType>", "b": torch.ones(3)}, want)
    assert err is None and problems == ["a: returned NoneType, not a tensor", "b: shape [3], expected [2]"]
    assert compare_outputs([1], want)[0] is None


def test_imported_modules_skips_magics_and_relative_imports() -> None:
    cells = [("code", "%matplotlib inline\nimport numpy as np, os.path\nfrom sklearn.linear_model import X"),
             ("code", "!pip install yaml\nfrom . import local\nimport torch.nn as nn"),
             ("markdown", "import not_code"), ("code", "%%bash\nimport nope"), ("code", "def broken(:")]
    modules, unparsable = imported_modules(cells)
    assert modules == {"numpy", "os", "sklearn", "torch"}
    assert unparsable == ["4"]


def test_read_cells_rejects_what_is_not_a_notebook(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable notebook"):
        read_cells(bad)
    bad.write_text('{"cells": 3}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a Jupyter notebook"):
        read_cells(bad)


def test_notebook_run_executes_in_the_given_folder_and_names_the_failing_cell(tmp_path: Path) -> None:
    pytest.importorskip("nbclient")
    (tmp_path / "data.txt").write_text("42", encoding="utf-8")
    path = _notebook(tmp_path / "nb.ipynb", [
        ("markdown", "# title"),
        ("code", "value = int(open('data.txt').read())"),
        ("code", "x = 1\ny = value / (x - 1)"),
        ("code", "print('never')"),
    ])
    with NotebookRun(path, cwd=tmp_path, cell_timeout=30, total_timeout=60) as nb:
        assert nb.execute() is False
        assert nb.failure is not None and nb.failure.cell == 3 and nb.failure.ename == "ZeroDivisionError"
        assert nb.failure.line == "y = value / (x - 1)"
        assert nb.cells_run == 1
        ok, out, failure = nb.run_probe("print(value * 2)")
        assert (ok, out.strip(), failure) == (True, "84", None)


def test_notebook_run_times_out_a_slow_cell(tmp_path: Path) -> None:
    pytest.importorskip("nbclient")
    path = _notebook(tmp_path / "slow.ipynb", [("code", "import time\ntime.sleep(30)")])
    with NotebookRun(path, cwd=tmp_path, cell_timeout=2, total_timeout=60) as nb:
        assert nb.execute() is False
    assert nb.failure is not None and nb.failure.timed_out and "did not finish" in nb.failure.describe()
    assert nb.seconds < 20


def test_notebook_run_rejects_an_unreadable_notebook(tmp_path: Path) -> None:
    pytest.importorskip("nbclient")
    from graders.kinds._notebook import NotebookUnreadable

    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps({"cells": [], "nbformat": 99, "nbformat_minor": 0, "metadata": {}}), encoding="utf-8")
    with pytest.raises(NotebookUnreadable, match="not a notebook nbformat can read"), \
            NotebookRun(path, cwd=tmp_path):
        pass
