"""Kind ``nanogpt``: reading the learner's imports, the params, and (slow) every variant's verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from graders.kinds.nanogpt import NanoGptParams, transformers_imports
from tests.graders.kinds.golden import assert_golden


def test_an_import_of_transformers_is_found_without_running_the_file(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text("import torch\nfrom transformers import GPT2LMHeadModel\nraise SystemExit\n")
    (tmp_path / "train.py").write_text("import importlib\nm = importlib.import_module('transformers.models')\n")
    (tmp_path / "ok.py").write_text("import torch\nfrom torch import nn\n")
    assert transformers_imports(tmp_path) == ["model.py:2", "train.py:2"]


def test_plain_pytorch_and_unparsable_files_are_not_flagged(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text("import torch\nimport transformers_like\nx = 'transformer'\n")
    (tmp_path / "broken.py").write_text("def (:\n")
    assert transformers_imports(tmp_path) == []


def test_params_refuse_a_module_name_that_is_a_path() -> None:
    with pytest.raises(ValidationError):
        NanoGptParams(model_module="../model")


@pytest.mark.slow  # trains the reference and the cheats: CI's `sprint dev check --golden` covers the verdicts
def test_nanogpt_verdicts_match_golden() -> None:
    verdicts = assert_golden("nanogpt")
    assert verdicts["reference"]["status"] == "pass"
    assert verdicts["cheat-non-causal"]["checks"]["causal"] == "fail"
