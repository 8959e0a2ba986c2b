"""Kind ``attention`` on flash-attention: golden verdicts, the measurer's pieces (random cases,
trusted attention, the comparison), the static scan and the fused-kernel watch tested directly, and
a memory run through the real sandbox (measurer beside a learner worker)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from graders.contract import GradeContext, Measurements  # noqa: E402
from graders.evaluate import evaluate  # noqa: E402
from graders.kinds import attention_adapter as adapter  # noqa: E402
from graders.kinds import attention_measure as child  # noqa: E402
from graders.kinds.attention import AttentionGrader, AttentionParams  # noqa: E402
from graders.kinds.attention_scan import scan_folder  # noqa: E402
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
    # forge cheats (issue 13): the frame-walker of the issue, the instrument patchers, the seed guesser
    for cheat in ("cheat-forge-frames", "cheat-forge-monkeypatch", "cheat-forge-generator"):
        assert verdicts[cheat]["checks"]["memory_ratio"] == "fail", cheat
        assert verdicts[cheat]["checks"]["max_abs_error"] == "pass", cheat
    sdpa = verdicts["cheat-forge-monkeypatch-sdpa"]["checks"]  # the watch patched away; the static scan is not
    assert sdpa["no_fused_kernel"] == "fail" and sdpa["memory_ratio"] == sdpa["max_abs_error"] == "pass"


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
    mask = adapter.causal_mask(2, 5)
    assert mask.tolist() == [[True, True, True, True, False], [True, True, True, True, True]]
    assert adapter.causal_mask(1, 7).all()  # a decode step sees every key
    assert torch.equal(adapter.causal_mask(4, 4), torch.ones(4, 4, dtype=torch.bool).tril())


def test_naive_matches_the_float64_reference_and_sdpa() -> None:
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, n, 16, generator=gen) for n in (7, 7, 7))
    for causal in (False, True):
        ref = child.reference_attention(q, k, v, causal)
        assert torch.allclose(adapter.naive_attention(q, k, v, causal), ref, atol=1e-5)
        sdpa = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
        assert torch.allclose(sdpa, ref, atol=1e-5)


def test_reference_solution_is_exact_on_many_seeds() -> None:
    fn = _reference_attention_fn()
    worst = 0.0
    for seed in range(3):
        for index, case in enumerate(child.draw_cases(seed)):
            q, k, v = child.make_inputs(case, seed * 1000 + index)
            err, problem = child.compare(fn(q, k, v, causal=case.causal),
                                         child.reference_attention(q, k, v, case.causal))
            assert err is not None, problem
            worst = max(worst, err)
    assert worst <= 1e-4 / 2  # at least a 2× margin under the roadmap's threshold


def test_compare_names_what_is_wrong() -> None:
    from graders.wire import Array

    expected = torch.zeros(1, 1, 3, 4)
    assert child.compare(torch.zeros(1, 1, 3, 4), expected) == (0.0, "")
    assert child.compare(Array.from_torch(torch.zeros(1, 1, 3, 4)), expected) == (0.0, "")  # as the worker replies
    assert "shape" in child.compare(torch.zeros(1, 1, 4, 3), expected)[1]
    assert "float64" in child.compare(torch.zeros(1, 1, 3, 4, dtype=torch.float64), expected)[1]
    assert "float64" in child.compare(Array.from_torch(torch.zeros(1, 1, 3, 4, dtype=torch.float64)), expected)[1]
    assert "NaN" in child.compare(torch.full((1, 1, 3, 4), math.nan), expected)[1]
    assert "list" in child.compare("list", expected)[1]


def test_watch_records_fused_kernels_under_any_name(tmp_path: Path) -> None:
    watch = adapter.FusedKernelWatch(str(tmp_path))
    q = torch.randn(1, 2, 5, 8)
    with watch.watching(aten=True):
        torch.nn.functional.scaled_dot_product_attention(q, q, q)
        torch.ops.aten._scaled_dot_product_flash_attention_for_cpu(q, q, q)
    assert any("scaled_dot_product_attention" in f for f in watch.findings())
    assert any("_scaled_dot_product_flash_attention_for_cpu" in f for f in watch.findings())

    hidden = adapter.FusedKernelWatch(str(tmp_path))
    with hidden.watching(aten=True), torch._C.DisableTorchFunction():
        torch._C._nn.scaled_dot_product_attention(q, q, q)  # invisible to the function mode …
    assert any(f.startswith("aten.") for f in hidden.findings())  # … not to the dispatcher

    clean = adapter.FusedKernelWatch(str(tmp_path))
    with clean.watching(aten=True):
        torch.softmax(q @ q.transpose(-2, -1), -1) @ q
    assert clean.findings() == {}


def test_watch_blocks_flash_attn_imports_from_learner_files_only(tmp_path: Path) -> None:
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "uses_flash.py").write_text(
        "try:\n    import flash_attn\nexcept ImportError as exc:\n    REASON = str(exc)\n")
    watch = adapter.FusedKernelWatch(str(learner)).install()
    sys.path.insert(0, str(learner))
    try:
        import importlib

        module = importlib.import_module("uses_flash")
        assert "blocked by the grader" in module.REASON
        assert watch.findings() == {"import flash_attn": 1}
        # A library probing for flash-attn (transformers does) is not the learner.
        import importlib.util

        importlib.util.find_spec("xformers")
        assert watch.findings() == {"import flash_attn": 1}
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


def _memory_run(folder: Path, impl: str = "learner") -> dict[str, object]:
    from graders.kinds.attention_measure import MemoryJob

    sandbox = Sandbox()
    with sandbox.workdir(folder) as work:
        run = sandbox.measure("graders.kinds.attention_measure:memory", MemoryJob(
            impl=impl, module="attention", function="attention", seq=512, heads=2, head_dim=32),  # type: ignore[typeddict-item]
            workdir=work)
    assert run.fault is None, run.log()
    return run.result or {}


def test_memory_run_counts_what_the_module_grabs_at_import_and_sees_sdpa(tmp_path: Path) -> None:
    (tmp_path / "attention.py").write_text(
        "import torch\n"
        "_BUFFER = torch.ones(150_000_000, dtype=torch.uint8)  # grabbed at import: it must count\n"
        "def attention(q, k, v, causal=False):\n"
        "    return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)\n",
        encoding="utf-8")
    data = _memory_run(tmp_path)
    assert int(data["extra_bytes"]) >= 140_000_000, data  # type: ignore[call-overload]
    assert data["rows_error"] is not None and float(data["rows_error"]) < 1e-4  # type: ignore[arg-type]
    assert "VmHWM reset from outside" in str(data["method"]) or "sampled" in str(data["method"])
    assert any("scaled_dot_product_attention" in name for name in data["fused"])  # type: ignore[attr-defined]


def test_memory_run_counts_a_helper_process_that_left_the_worker(tmp_path: Path) -> None:
    """A peak in a process the learner's code started and detached (double fork: re-parented to the
    supervisor, no longer in the worker's tree) counts like one in the worker."""
    (tmp_path / "attention.py").write_text(
        "import os, time, torch\n"
        "def attention(q, k, v, causal=False):\n"
        "    r, w = os.pipe()\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        "            blob = b'x' * 200_000_000  # the helper's peak (no torch after fork: its thread pool hangs)\n"
        "            time.sleep(0.3)\n"
        "            os.write(w, b'x')\n"
        "            os._exit(0)\n"
        "        os._exit(0)\n"
        "    os.read(r, 1)\n"
        "    s = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5\n"
        "    return torch.softmax(s, -1) @ v\n",
        encoding="utf-8")
    data = _memory_run(tmp_path)
    assert int(data["extra_bytes"]) >= 190_000_000, data  # type: ignore[call-overload]


def test_memory_run_of_naive_attention_sees_its_score_matrix(tmp_path: Path) -> None:
    data = _memory_run(tmp_path, impl="naive")
    scores = 2 * 512 * 512 * 4  # [1, 2, 512, 512] float32, scores and probabilities
    assert int(data["extra_bytes"]) >= scores, data  # type: ignore[call-overload]
    assert data["fused"] == {}


def test_static_scan_finds_library_kernels_and_code_it_cannot_follow(tmp_path: Path) -> None:
    def scan(source: str) -> list[str]:
        folder = tmp_path / str(abs(hash(source)))
        folder.mkdir()
        (folder / "attention.py").write_text(source, encoding="utf-8")
        return scan_folder(folder)

    assert scan("import torch.nn.functional as F\nf = F.scaled_dot_product_attention\n")
    assert scan("from torch.nn.functional import scaled_dot_product_attention\n")
    assert scan("import flash_attn\n") and scan("from xformers import ops\n")
    assert scan("import torch\nm = torch.nn.MultiheadAttention(8, 2)\n")
    assert scan("import torch\ny = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu\n")
    assert scan("import torch.nn.functional as F\nf = getattr(F, 'scaled_dot_product_attention')\n")
    assert scan("import torch.nn.functional as F\nname = 'scaled_dot' + '_product_attention'\nf = getattr(F, name)\n")
    assert scan("exec('x = 1')\n") and scan("import importlib\n") and scan("import ctypes\n")
    # what a learner legitimately writes: prose about the kernels, their own function names
    assert scan('"""No torch.nn.functional.scaled_dot_product_attention, flash_attn or xformers."""\n'
                "def flash_attention_block(q):\n    return q\n\n\n"
                "class Tiled:\n    def flash_attention(self, q):\n        return q\n\n"
                "    def __call__(self, q):\n        return self.flash_attention(flash_attention_block(q))\n"
                "raise ValueError('unlike scaled_dot_product_attention, this is tiled')\n") == []
    compiled = tmp_path / "compiled"
    compiled.mkdir()
    (compiled / "kernel.so").write_bytes(b"\x7fELF")
    assert scan_folder(compiled) == ["kernel.so is compiled code the grader cannot read"]


def test_library_variants_scan_as_their_config_says() -> None:
    meta = exercise_dir("flash-attention") / ".meta"
    assert scan_folder(meta / "reference") == []
    assert scan_folder(exercise_dir("flash-attention"), only={exercise_dir("flash-attention") / "attention.py"}) == []
    assert scan_folder(meta / "cheat-sdpa") and scan_folder(meta / "cheat-forge-monkeypatch-sdpa")
    for clean in ("cheat-naive", "cheat-no-rescale", "cheat-tile-local-mask", "cheat-forge-frames",
                  "cheat-forge-monkeypatch", "cheat-forge-generator"):
        assert scan_folder(meta / clean) == [], clean


def test_large_logits_case_catches_a_softmax_without_the_running_max() -> None:
    def no_max(q, k, v, causal=False):  # type: ignore[no-untyped-def]
        s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if causal:
            s = s.masked_fill(~adapter.causal_mask(q.shape[-2], k.shape[-2]), -math.inf)
        p = torch.exp(s)  # overflows to inf on large logits
        return (p @ v) / p.sum(-1, keepdim=True)

    fn = _reference_attention_fn()
    for seed in range(5):
        cases = child.draw_cases(seed)
        index = [c.name for c in cases].index("large-logits")
        case = cases[index]
        q, k, v = child.make_inputs(case, seed * 1000 + index)
        expected = child.reference_attention(q, k, v, case.causal)
        err, problem = child.compare(no_max(q, k, v, case.causal), expected)
        assert err is None or err > 1e-4, (seed, err, problem)
        good, _ = child.compare(fn(q, k, v, causal=case.causal), expected)
        assert good is not None and good < 1e-4 / 3
