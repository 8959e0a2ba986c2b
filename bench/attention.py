"""Time and extra peak memory of three attentions at 1k, 2k and 4k tokens (8 heads, head dim 64).

* ``reference`` — the flash-attention exercise's reference (tiled, online softmax, pure PyTorch);
* ``naive`` — textbook attention, the grader's baseline (materialises ``[L, L]`` twice);
* ``sdpa`` — ``torch.nn.functional.scaled_dot_product_attention`` (PyTorch's fused CPU kernel).

Each (attention, length) runs in a fresh process, its memory read with the instrument the
``attention`` grader's measurer uses (``graders.measurer.PeakMemory``: the kernel's peak-RSS mark
reset right before the first call, so the figure is exact — here on this process itself, where the
grader reads a learner worker from outside): first call → extra peak memory; then the best of three
more calls → time. Non-causal, float32, batch 1, torch's default thread count. (The grader's own
timing goes through its worker link — inputs sent → output received — and so adds the transfer of
the tensors to both sides of its ratio; this bench times the bare calls.)

    python bench/attention.py [--lengths 1024 2048 4096]

Last line: ``key=value`` pairs — per length ``<impl>_ms_<L>``, ``<impl>_mb_<L>``, and the ratios
measured in this run: ``ref_mem_ratio_<L>`` (reference / naive extra memory, what the grader
thresholds), ``sdpa_mem_ratio_<L>``, ``ref_speed_vs_naive_<L>`` and ``sdpa_speed_vs_naive_<L>``
(naive time / theirs).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REFERENCE = ROOT / "exercises" / "flash-attention" / ".meta" / "reference" / "attention.py"
IMPLS = ("reference", "naive", "sdpa")
HEADS, HEAD_DIM = 8, 64


def _attention_fn(impl: str) -> Any:
    import torch

    from graders.kinds.attention_adapter import naive_attention

    if impl == "naive":
        return naive_attention
    if impl == "sdpa":
        return lambda q, k, v, causal=False: torch.nn.functional.scaled_dot_product_attention(q, k, v,
                                                                                                is_causal=causal)
    spec = importlib.util.spec_from_file_location("flash_reference", REFERENCE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.attention


def measure_one(impl: str, length: int) -> dict[str, Any]:
    """In this (fresh) process: extra peak memory of the first call, then the best of three."""
    import os

    import torch

    from graders.kinds.attention_adapter import warm_up
    from graders.measurer import PeakMemory

    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, HEADS, length, HEAD_DIM, generator=gen) for _ in range(3))
    fn = _attention_fn(impl)
    warm_up()
    fn(q[:, :, :64], k[:, :, :64], v[:, :, :64])  # this implementation's own one-time costs
    with PeakMemory(os.getpid()) as peak:
        out = fn(q, k, v)
        del out
    extra = peak.extra_bytes
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn(q, k, v)
        best = min(best, time.perf_counter() - t0)
    return {"impl": impl, "length": length, "extra_bytes": extra, "seconds": best, "method": peak.method,
            "threads": torch.get_num_threads()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024, 2048, 4096])
    parser.add_argument("--one", nargs=2, metavar=("IMPL", "LENGTH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one[0], int(args.one[1]))))
        return 0

    rows: dict[tuple[str, int], dict[str, Any]] = {}
    print(f"{'impl':<10} {'tokens':>6} {'time':>10} {'extra memory':>14}")
    for length in args.lengths:
        for impl in IMPLS:
            proc = subprocess.run([sys.executable, __file__, "--one", impl, str(length)], capture_output=True,
                                  text=True, check=True, cwd=ROOT)
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            rows[impl, length] = row
            print(f"{impl:<10} {length:>6} {row['seconds'] * 1e3:>8.1f} ms {row['extra_bytes'] / 1e6:>11.1f} MB")
    method = next(iter(rows.values()))["method"]
    threads = next(iter(rows.values()))["threads"]
    print(f"(memory: {method}; {threads} threads; [1, {HEADS}, L, {HEAD_DIM}] float32, non-causal)")

    pairs: list[str] = []
    for length in args.lengths:
        ref, naive, sdpa = (rows[impl, length] for impl in IMPLS)
        for impl in IMPLS:
            pairs.append(f"{impl}_ms_{length}={rows[impl, length]['seconds'] * 1e3:.1f}")
            pairs.append(f"{impl}_mb_{length}={rows[impl, length]['extra_bytes'] / 1e6:.1f}")
        pairs.append(f"ref_mem_ratio_{length}={ref['extra_bytes'] / naive['extra_bytes']:.4f}")
        pairs.append(f"sdpa_mem_ratio_{length}={sdpa['extra_bytes'] / naive['extra_bytes']:.4f}")
        pairs.append(f"ref_speed_vs_naive_{length}={naive['seconds'] / ref['seconds']:.2f}")
        pairs.append(f"sdpa_speed_vs_naive_{length}={naive['seconds'] / sdpa['seconds']:.2f}")
    print(" ".join(pairs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
