"""Kind ``attention`` on flash-attention: golden verdicts, and the child-side measuring pieces
(random cases, trusted attention, peak memory, the fused-kernel watch) tested directly."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from graders.contract import GradeContext, Measurements  # noqa: E402
from graders.evaluate import evaluate  # noqa: E402
from graders.kinds import attention_child as child  # noqa: E402
from graders.kinds.attention import AttentionGrader, AttentionParams  # noqa: E402
from graders.paths import exercise_dir  # noqa: E402
from graders.sandbox import Sandbox  # noqa: E402
from graders.thresholds import parse_threshold  # noqa: E402
from tests.graders.kinds.golden import assert_golden  # noqa: E402

REFERENCE = exercise_dir("flash-attention") / ".meta" / "reference"


def _reference_attention_fn():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("flash_reference_under_test", REFERENCE / "attention.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.attention


@pytest.mark.slow
def test_flash_attention_verdicts_match_golden() -> None:
    verdicts = assert_golden("flash-attention")
    assert all(v["ok"] for v in verdicts.values()), {k: v["problems"] for k, v in verdicts.items() if not v["ok"]}
    ref = verdicts["reference"]["checks"]
    assert ref["max_abs_error"] == ref["memory_ratio"] == ref["no_fused_kernel"] == "pass"
    assert verdicts["starter"]["status"] == "fail"
    assert verdicts["cheat-naive"]["checks"]["memory_ratio"] == "fail"
    assert verdicts["cheat-naive"]["checks"]["max_abs_error"] == "pass"
    assert verdicts["cheat-sdpa"]["checks"] == {**verdicts["cheat-sdpa"]["checks"], "no_fused_kernel": "fail",
                                                "max_abs_error": "pass", "memory_ratio": "pass"}
    assert verdicts["cheat-tile-local-mask"]["checks"]["max_abs_error"] == "fail"
    assert verdicts["cheat-no-rescale"]["checks"]["max_abs_error"] == "fail"


def test_cases_are_drawn_from_the_seed_and_cover_the_edges() -> None:
    a, b, a2 = child.draw_cases(1), child.draw_cases(2), child.draw_cases(1)
    assert a == a2 and a != b
    for seed in range(20):
        cases = child.draw_cases(seed)
        assert all(c.q_len % 2 == 1 and (c.k_len % 2 == 1) for c in cases)  # no power-of-two block divides them
        assert all(c.q_len <= c.k_len for c in cases if c.causal)
        assert any(c.causal and c.q_len < c.k_len for c in cases)
        assert any(not c.causal and c.q_len > c.k_len for c in cases)
        assert any(c.q_len == 1 for c in cases) and any(c.transposed for c in cases)
        assert any(c.causal for c in cases) and any(not c.causal for c in cases)


def test_make_inputs_is_deterministic_and_non_contiguous_when_asked() -> None:
    case = next(c for c in child.draw_cases(3) if c.transposed)
    q, _, v = child.make_inputs(case, 11)
    q2, _, _ = child.make_inputs(case, 11)
    assert torch.equal(q, q2) and not q.is_contiguous()
    assert q.shape == (case.batch, case.heads, case.q_len, case.head_dim) and v.shape[-2] == case.k_len


def test_causal_mask_is_bottom_right_aligned() -> None:
    mask = child.causal_mask(2, 5)
    assert mask.tolist() == [[True, True, True, True, False], [True, True, True, True, True]]
    assert child.causal_mask(1, 7).all()  # a decode step sees every key
    assert torch.equal(child.causal_mask(4, 4), torch.ones(4, 4, dtype=torch.bool).tril())


def test_naive_matches_the_float64_reference_and_sdpa() -> None:
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, n, 16, generator=gen) for n in (7, 7, 7))
    for causal in (False, True):
        ref = child.reference_attention(q, k, v, causal)
        assert torch.allclose(child.naive_attention(q, k, v, causal), ref, atol=1e-5)
        sdpa = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
        assert torch.allclose(sdpa, ref, atol=1e-5)


def test_reference_solution_is_exact_on_many_seeds() -> None:
    fn = _reference_attention_fn()
    worst = 0.0
    for seed in range(3):
        for index, case in enumerate(child.draw_cases(seed)):
            q, k, v = child.make_inputs(case, seed * 1000 + index)
            err, problem = child._compare(fn(q, k, v, causal=case.causal),
                                          child.reference_attention(q, k, v, case.causal))
            assert err is not None, problem
            worst = max(worst, err)
    assert worst <= 1e-4 / 2  # at least a 2× margin under the roadmap's threshold


def test_compare_names_what_is_wrong() -> None:
    expected = torch.zeros(1, 1, 3, 4)
    assert child._compare(torch.zeros(1, 1, 3, 4), expected) == (0.0, "")
    assert "shape" in child._compare(torch.zeros(1, 1, 4, 3), expected)[1]
    assert "float64" in child._compare(torch.zeros(1, 1, 3, 4, dtype=torch.float64), expected)[1]
    assert "NaN" in child._compare(torch.full((1, 1, 3, 4), math.nan), expected)[1]
    assert "list" in child._compare([0.0], expected)[1]


def test_peak_memory_sees_a_short_lived_allocation() -> None:
    peak = child.PeakMemory()
    peak.start()
    x = torch.ones(50_000_000, dtype=torch.uint8)  # 50 MB, touched
    del x
    extra = peak.stop()
    assert 45e6 <= extra <= 65e6, (extra, peak.method)
    peak = child.PeakMemory()
    peak.start()
    y = torch.ones(1000)
    small = peak.stop()
    del y
    assert small < 5e6


def test_peak_memory_falls_back_to_sampling(monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = open

    def no_clear_refs(path: object, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if str(path).endswith("clear_refs"):
            raise PermissionError("not here")
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", no_clear_refs)
    peak = child.PeakMemory()
    peak.start()
    x = torch.ones(80_000_000, dtype=torch.uint8)
    import time

    time.sleep(0.05)
    del x
    extra = peak.stop()
    assert peak.method.startswith("RSS sampled")
    assert 60e6 <= extra <= 100e6


def test_watch_records_fused_kernels_under_any_name(tmp_path: Path) -> None:
    watch = child.FusedKernelWatch(str(tmp_path))
    q = torch.randn(1, 2, 5, 8)
    with watch.watching(aten=True):
        torch.nn.functional.scaled_dot_product_attention(q, q, q)
        torch.ops.aten._scaled_dot_product_flash_attention_for_cpu(q, q, q)
    assert any("scaled_dot_product_attention" in f for f in watch.findings())
    assert any("_scaled_dot_product_flash_attention_for_cpu" in f for f in watch.findings())

    hidden = child.FusedKernelWatch(str(tmp_path))
    with hidden.watching(aten=True), torch._C.DisableTorchFunction():
        torch._C._nn.scaled_dot_product_attention(q, q, q)  # invisible to the function mode …
    assert any(f.startswith("aten.") for f in hidden.findings())  # … not to the dispatcher

    clean = child.FusedKernelWatch(str(tmp_path))
    with clean.watching(aten=True):
        torch.softmax(q @ q.transpose(-2, -1), -1) @ q
    assert clean.findings() == []


def test_watch_blocks_flash_attn_imports_from_learner_files_only(tmp_path: Path) -> None:
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "uses_flash.py").write_text(
        "try:\n    import flash_attn\nexcept ImportError as exc:\n    REASON = str(exc)\n")
    watch = child.FusedKernelWatch(str(learner)).install()
    sys.path.insert(0, str(learner))
    try:
        import importlib

        module = importlib.import_module("uses_flash")
        assert "blocked by the grader" in module.REASON
        assert watch.findings() == ["import flash_attn"]
        # A library probing for flash-attn (transformers does) is not the learner.
        import importlib.util

        importlib.util.find_spec("xformers")
        assert watch.findings() == ["import flash_attn"]
    finally:
        sys.path.remove(str(learner))
        sys.meta_path.remove(watch._blocker)  # type: ignore[arg-type]
        sys.modules.pop("uses_flash", None)


def test_peak_vram_is_pending_without_cuda(tmp_path: Path) -> None:
    ctx = GradeContext(slug="flash-attention", params=AttentionParams(), profile="gpu", seed=1,
                       thresholds={"peak_vram_32k": parse_threshold("<= 24 GB", "bytes")},
                       learner_dir=tmp_path, library_dir=tmp_path, sandbox=Sandbox(), cuda_available=False)
    m = Measurements()
    m.set("max_abs_error", 1e-6)
    result = evaluate(AttentionGrader(), ctx, m)
    check = result.check("peak_vram_32k")
    assert check is not None and check.status == "pending" and "CUDA" in check.message
    cpu = evaluate(AttentionGrader(), GradeContext(**{**ctx.__dict__, "profile": "cpu", "thresholds": {}}), m)
    assert cpu.check("peak_vram_32k") is None


def test_params_defaults_are_the_readme_s() -> None:
    p = AttentionParams()
    assert (p.memory_seq, p.heads, p.head_dim, p.logits_tolerance) == (4096, 8, 64, 1e-3)


def test_memory_run_counts_what_the_module_grabs_at_import_and_sees_sdpa(tmp_path: Path) -> None:
    (tmp_path / "attention.py").write_text(
        "import torch\n"
        "_BUFFER = torch.ones(150_000_000, dtype=torch.uint8)  # grabbed at import: it must count\n"
        "def attention(q, k, v, causal=False):\n"
        "    return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)\n",
        encoding="utf-8")
    sandbox = Sandbox()
    with sandbox.workdir(tmp_path) as work:
        run = sandbox.call("graders.kinds.attention_child:memory", {
            "impl": "learner", "module": "attention", "function": "attention", "seed": 3,
            "seq": 512, "heads": 2, "head_dim": 32}, workdir=work)
    assert run.fault is None, run.log()
    data = run.result or {}
    assert data["extra_bytes"] >= 140_000_000, data
    assert data["rows_error"] is not None and data["rows_error"] < 1e-4
    assert any("scaled_dot_product_attention" in name for name in data["fused"])


def test_large_logits_case_catches_a_softmax_without_the_running_max() -> None:
    def no_max(q, k, v, causal=False):  # type: ignore[no-untyped-def]
        s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if causal:
            s = s.masked_fill(~child.causal_mask(q.shape[-2], k.shape[-2]), -math.inf)
        p = torch.exp(s)  # overflows to inf on large logits
        return (p @ v) / p.sum(-1, keepdim=True)

    fn = _reference_attention_fn()
    for seed in range(5):
        cases = child.draw_cases(seed)
        index = [c.name for c in cases].index("large-logits")
        case = cases[index]
        q, k, v = child.make_inputs(case, seed * 1000 + index)
        expected = child.reference_attention(q, k, v, case.causal)
        err, problem = child._compare(no_max(q, k, v, case.causal), expected)
        assert err is None or err > 1e-4, (seed, err, problem)
        good, _ = child._compare(fn(q, k, v, causal=case.causal), expected)
        assert good is not None and good < 1e-4 / 3
