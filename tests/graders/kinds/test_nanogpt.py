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


# --- the measurer's evaluation, in this process: the adapter answers as the worker would -------------

_MODELS = '''
import torch
from torch import nn


class Uniform(nn.Module):
    """Equal logits everywhere: exactly 8 bits per byte; greedy picks byte 0."""

    def __init__(self, block_size: int = 16) -> None:
        super().__init__()
        self.block_size = block_size
        self.w = nn.Parameter(torch.zeros(1000))

    def forward(self, idx):
        return torch.zeros(*idx.shape, 256) + 0 * self.w.sum()

    def generate(self, idx, max_new_tokens):
        return torch.cat([idx, torch.zeros(idx.shape[0], max_new_tokens, dtype=torch.long)], dim=1)


class PeeksAhead(Uniform):
    """Position t's logits favour the byte at t + 1: a model without its causal mask."""

    def forward(self, idx):
        ahead = torch.roll(idx, -1, dims=1)
        return nn.functional.one_hot(ahead, 256).float() * 5.0


class NotGreedy(Uniform):
    """generate() appends byte 7, though its logits favour byte 0."""

    def forward(self, idx):
        return nn.functional.one_hot(torch.zeros_like(idx), 256).float() * 5.0

    def generate(self, idx, max_new_tokens):
        return torch.cat([idx, torch.full((idx.shape[0], max_new_tokens), 7, dtype=torch.long)], dim=1)
'''


class _InProcess:
    """The measurer's worker handle, answered by the adapter in this process."""

    def adapter(self, fn: str, *args: object, returns: object = None, timeout_s: float | None = None) -> object:
        from graders.kinds import nanogpt_adapter
        from graders.wire import Array

        call = getattr(nanogpt_adapter, fn.rpartition(":")[2])
        return call(*(a.to_torch() if isinstance(a, Array) else a for a in args))


def _evaluate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cls: str) -> dict[str, object]:
    import torch
    from safetensors.torch import save_model

    from graders.kinds import nanogpt_adapter
    from graders.kinds.nanogpt_measure import NanoJob, _empty
    from graders.kinds.nanogpt_measure import _evaluate as evaluate

    (tmp_path / "toymodels.py").write_text(_MODELS)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(nanogpt_adapter, "_state", {})
    import toymodels  # type: ignore[import-not-found]

    checkpoint = tmp_path / "checkpoint"
    checkpoint.mkdir()
    (checkpoint / "config.json").write_text('{"block_size": 16}')
    model: torch.nn.Module = getattr(toymodels, cls)()
    save_model(model, str(checkpoint / "model.safetensors"))
    p = NanoGptParams()
    job = NanoJob(phase="evaluate", train_fn="train:train", model_cls=f"toymodels:{cls}", seed=7,
                  train_docs=p.train_docs, out_dir=str(checkpoint), train_timeout_s=p.train_timeout_s,
                  hidden_docs=p.hidden_docs, targets=256, context=p.context, generate_tokens=4)
    report = _empty()
    evaluate(job, _InProcess(), report)  # type: ignore[arg-type]
    return dict(report)


def test_equal_logits_score_exactly_eight_bits_per_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _evaluate(tmp_path, monkeypatch, "Uniform")
    assert report["bits_per_byte"] == pytest.approx(8.0)
    assert (report["targets"], report["context"], report["parameters"]) == (256, 16, 1000)
    assert report["causal"] is True
    assert report["generate_ok"] is True


def test_logits_that_see_the_next_token_are_not_causal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _evaluate(tmp_path, monkeypatch, "PeeksAhead")
    assert report["causal"] is False
    assert "sees tokens after" in str(report["causal_note"])
    # scored at the window's last position, where nothing is ahead: looking ahead gains nothing
    assert float(report["bits_per_byte"]) > 7.0  # type: ignore[arg-type]


def test_a_generate_that_is_not_greedy_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _evaluate(tmp_path, monkeypatch, "NotGreedy")
    assert report["generate_ok"] is False
    assert "not the argmax" in str(report["generate_note"])
