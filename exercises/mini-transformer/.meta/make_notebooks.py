"""Generate the mini-transformer notebooks (starter, reference, cheats): python .meta/make_notebooks.py"""
import copy, json, sys
from pathlib import Path
import nbformat
from nbformat.v4 import new_notebook, new_markdown_cell as md, new_code_cell as code

EX = Path(__file__).resolve().parent.parent  # exercises/mini-transformer

INTRO = md("""# Mini-Transformer from scratch — 12-week plan, weeks 1–2

Work through the mathematics of self-attention and build a small decoder-only Transformer in plain
PyTorch. Fill in every `raise NotImplementedError`, run the notebook top to bottom, and grade it with

    sprint grade mini-transformer

The grader runs this notebook in a fresh kernel, then calls **`self_attention`**,
**`MultiHeadSelfAttention`** and **`TransformerBlock`** from the notebook's namespace on hidden
inputs (with its own weights, loaded through `load_state_dict`) and compares them with a reference
(max absolute error ≤ 1e-5). Keep the names, signatures and parameter names below exactly as
given. Section 5 asks for a written explanation.""")

IMPORTS = code("""import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)""")

ATTN_MD = md(r"""## 1. Scaled dot-product attention

For queries $Q \in \mathbb{R}^{n \times d}$, keys $K \in \mathbb{R}^{m \times d}$ and values $V \in \mathbb{R}^{m \times d}$:

$$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}}\right) V$$

The softmax runs over the keys (the last axis). With `causal=True` (used when `n == m`),
position $i$ may only attend to positions $j \le i$: set the other scores to $-\infty$ *before*
the softmax.""")

ATTN_STARTER = code('''def self_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """q: [batch, heads, n, d]; k, v: [batch, heads, m, d] -> [batch, heads, n, d].

    softmax(q kᵀ / √d) v over the last axis; causal=True masks keys j > i (then n == m).
    """
    raise NotImplementedError("scores, mask, softmax, weighted sum of v")''')

ATTN_REF = code('''def self_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """q: [batch, heads, n, d]; k, v: [batch, heads, m, d] -> [batch, heads, n, d].

    softmax(q kᵀ / √d) v over the last axis; causal=True masks keys j > i (then n == m).
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [B, H, n, m]
    if causal:
        n, m = scores.shape[-2:]
        future = torch.ones(n, m, dtype=torch.bool, device=q.device).triu(1)  # True above the diagonal
        scores = scores.masked_fill(future, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # [B, H, n, m], rows sum to 1
    return weights @ v  # [B, H, n, d]''')

ATTN_NOMASK = code('''def self_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """q: [batch, heads, n, d]; k, v: [batch, heads, m, d] -> [batch, heads, n, d]."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [B, H, n, m]
    weights = torch.softmax(scores, dim=-1)  # the causal mask was forgotten
    return weights @ v''')

CHECK_ATTN = code("""# Quick self-check against the textbook formula, done by hand for one small case.
q, k, v = torch.randn(1, 1, 5, 8), torch.randn(1, 1, 5, 8), torch.randn(1, 1, 5, 8)
out = self_attention(q, k, v, causal=True)
print(out.shape)
# The first position can only see itself, so its output is exactly v[0].
print(torch.allclose(out[0, 0, 0], v[0, 0, 0], atol=1e-6))""")

MHSA_MD = md("""## 2. Multi-head self-attention

One linear layer `qkv` projects `x` of shape `[B, T, C]` to `[B, T, 3C]`, which is split in this
order into `q, k, v` (`.split(C, dim=-1)`); each is reshaped to `[B, n_heads, T, C // n_heads]`
(`view(B, T, n_heads, hd).transpose(1, 2)`). After attention the heads are put back side by side
(`[B, T, C]`) and projected by `proj`.""")

MHSA_INIT = '''class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        assert d_model % n_heads == 0
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)  # x -> [q | k | v]
        self.proj = nn.Linear(d_model, d_model)  # concatenated heads -> output

    def forward(self, x: torch.Tensor, causal: bool = True) -> torch.Tensor:
        """x: [B, T, C] -> [B, T, C]."""
'''
MHSA_STARTER = code(MHSA_INIT + '''        raise NotImplementedError("project, split into heads, self_attention, merge heads, project")''')
MHSA_REF = code(MHSA_INIT + '''        B, T, C = x.shape
        hd = C // self.n_heads
        q, k, v = self.qkv(x).split(C, dim=-1)  # 3 × [B, T, C]
        q, k, v = (t.view(B, T, self.n_heads, hd).transpose(1, 2) for t in (q, k, v))  # [B, H, T, hd]
        y = self_attention(q, k, v, causal=causal)  # [B, H, T, hd]
        y = y.transpose(1, 2).reshape(B, T, C)  # heads side by side
        return self.proj(y)''')

BLOCK_MD = md("""## 3. Transformer block (pre-LayerNorm, as in GPT-2)

    x = x + attn(ln1(x))
    x = x + mlp(ln2(x))        # mlp = Linear(C, d_ff) → GELU → Linear(d_ff, C)""")

BLOCK_INIT = '''class TransformerBlock(nn.Module):
    def __init__(self, d_model: int, n_heads: int, d_ff: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = MultiHeadSelfAttention(d_model, n_heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))

    def forward(self, x: torch.Tensor, causal: bool = True) -> torch.Tensor:
        """x: [B, T, C] -> [B, T, C]."""
'''
BLOCK_STARTER = code(BLOCK_INIT + '''        raise NotImplementedError("two residual branches, LayerNorm before each")''')
BLOCK_REF = code(BLOCK_INIT + '''        x = x + self.attn(self.ln1(x), causal=causal)  # communicate between positions
        x = x + self.mlp(self.ln2(x))  # compute at each position
        return x''')
BLOCK_POSTLN = code(BLOCK_INIT + '''        x = self.ln1(x + self.attn(x, causal=causal))  # post-LN (the original 2017 layout)
        x = self.ln2(x + self.mlp(x))
        return x''')

MODEL_MD = md("""## 4. A mini-Transformer language model

Token and position embeddings, a stack of blocks, a final LayerNorm and a linear head to the
vocabulary. Below it learns a toy task — continue a repeating pattern — in a few seconds on a CPU.""")

MODEL_INIT = '''class MiniTransformer(nn.Module):
    def __init__(self, vocab: int, d_model: int = 64, n_heads: int = 4, d_ff: int = 256, n_layers: int = 2,
                 max_len: int = 64) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList(TransformerBlock(d_model, n_heads, d_ff) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """idx: [B, T] token ids -> logits [B, T, vocab] (causal: position t sees tokens ≤ t)."""
'''
MODEL_STARTER = code(MODEL_INIT + '''        raise NotImplementedError("embed tokens + positions, run the blocks, final norm, head")''')
MODEL_REF = code(MODEL_INIT + '''        B, T = idx.shape
        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))  # [B, T, C]
        for block in self.blocks:
            x = block(x, causal=True)
        return self.head(self.ln_f(x))  # [B, T, vocab]''')

TRAIN = code("""# Toy task: sequences that repeat a random pattern of length 4; predict the next token.
def batch(n: int = 32, T: int = 24, vocab: int = 10) -> tuple[torch.Tensor, torch.Tensor]:
    pattern = torch.randint(0, vocab, (n, 4))
    seq = pattern.repeat(1, T // 4 + 1)[:, : T + 1]
    return seq[:, :-1], seq[:, 1:]

model = MiniTransformer(vocab=10, d_model=32, n_heads=4, d_ff=64)
opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
for step in range(60):
    x, y = batch()
    loss = F.cross_entropy(model(x).reshape(-1, 10), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 20 == 0 or step == 59:
        print(f"step {step:3d}  loss {loss.item():.3f}")
# After the first 4 tokens the rest is predictable: the loss falls below log(10) ≈ 2.30.""")

EXPLAIN_STARTER = md("""## 5. Why attention is O(n²), and how FlashAttention reduces the memory

*Replace this cell with your explanation (a few paragraphs): where the cost of self-attention in
sequence length comes from — time and memory — and what FlashAttention changes so that the memory
no longer grows that way.*""")

EXPLAIN_REF = md("""## 5. Why attention is O(n²), and how FlashAttention reduces the memory

**Where the quadratic cost comes from.** For a sequence of $n$ tokens, $QK^\\top$ compares every
query with every key: an $n \\times n$ score matrix per head. Computing it takes $O(n^2 d)$
operations, and the textbook implementation also *stores* it — the scores and then the softmax
probabilities — which is $O(n^2)$ memory per head. Doubling the context quadruples both: at 4096
tokens and 8 heads in fp32 the two matrices already take about 1 GB, at 32k tokens they would
not fit on any GPU.

**What FlashAttention changes.** The time stays $O(n^2 d)$ — every pair of tokens is still
compared — but the $n \\times n$ matrix is never materialised. FlashAttention splits $Q$, $K$ and
$V$ into **tiles** that fit in the GPU's fast on-chip **SRAM**, and for each block of queries it
streams over the blocks of keys and values. An **online softmax** keeps, per query row, the
running maximum and the running sum of exponentials, and rescales the partial output whenever the
maximum grows, so the result is exact. Only $O(n \\cdot d)$ memory is needed (the inputs, the
output and the per-row statistics), traffic to slow HBM drops sharply, and for the backward pass
the attention weights are recomputed from the saved statistics instead of being stored. That is
what makes 32k-token contexts trainable.""")

CELL_RAISES = code("""# "Make sure the model really learned": a check that is far too strict, so this cell raises.
x, y = batch()
final = F.cross_entropy(model(x).reshape(-1, 10), y.reshape(-1)).item()
assert final < 1e-6, f"loss {final:.3f} is not zero"
""")

# --- forge cheats (issue 13): each is the no-causal-mask notebook plus one cell that tries to forge ---
FORGE_FRAMES = code('''# Before answering, look for the grader's answers, seed or result channel in this process.
import gc as _gc
import os as _os
import sys as _sys


def _is_channel(obj):
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:
        return False


_plain_attention = self_attention


def self_attention(q, k, v, causal=False):
    found = {}
    frame = _sys._getframe(1)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name in ("expected", "want") and type(value) is dict:
                found.setdefault("expected", value)
            if _is_channel(value):
                found.setdefault("channel", value)
        frame = frame.f_back
    for obj in _gc.get_objects():
        if _is_channel(obj):
            found.setdefault("channel", obj)
    try:  # the process that started this kernel, if it can be read
        found["parent"] = len(open(f"/proc/{_os.getppid()}/environ", "rb").read())
    except OSError:
        pass
    print(f"forge-frames found: {sorted(found) or 'nothing'}", file=_sys.stderr)
    if "channel" in found:
        found["channel"].result(runs=True, seconds=1.0, max_abs_error=0.0, problems=[])
        found["channel"].send("done")
        _os._exit(0)
    return _plain_attention(q, k, v, causal)''')

FORGE_MONKEYPATCH = code('''# Patch whatever of the grader's measuring code can be reached from this kernel.
import builtins as _builtins
import time as _time

try:
    from graders.kinds import notebook_measure as _measure
    _measure.compare_outputs = lambda got, want: (0.0, [])
except ImportError:
    pass
try:
    from graders.kinds import notebook_child as _child  # where the comparison ran before issue 13
    _child.compare_outputs = lambda got, want: (0.0, [])
except ImportError:
    pass
_real_abs = _builtins.abs
_builtins.abs = lambda value: 0 * _real_abs(value)
torch.Tensor.abs = lambda self: torch.zeros_like(self)
_time.perf_counter = lambda: 0.0
_time.monotonic = lambda: 0.0
print("forge-monkeypatch: patched compare_outputs, abs, Tensor.abs and the clocks")''')

FORGE_GENERATOR = code('''# Find the grader's seed with its own input generator, and answer from a table made for it.
import gc as _gc
import sys as _sys
import time as _time

from graders.kinds._meta import load_meta_module as _load
from graders.paths import exercise_dir as _exercise_dir

_probes = _load(_exercise_dir("mini-transformer") / ".meta" / "probes.py")
_COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
_table = {}
_searched = []


def _candidates():
    seeds = []
    frame = _sys._getframe(2)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name == "seed" and isinstance(value, int):
                seeds.append(value)
        frame = frame.f_back
    seeds += [o["seed"] for o in _gc.get_objects() if type(o) is dict and isinstance(o.get("seed"), int)]
    return [*seeds, *_COMMON]


def _search(q):
    """The seed whose inputs start with this q: frames, common seeds, then 3 s of brute force."""
    tried = 0
    t0 = _time.perf_counter()
    seeds = iter(_candidates())
    seed = 0
    while True:
        guess = next(seeds, None)
        if guess is None:
            if _time.perf_counter() - t0 > 3.0:
                print(f"forge-generator: no seed found in {tried} tries", file=_sys.stderr)
                return None
            guess, seed = seed, seed + 1
        tried += 1
        inputs = _probes.make_inputs(guess)
        if inputs["attn_full.q"].shape == q.shape and torch.equal(inputs["attn_full.q"], q):
            return guess


_unmasked = self_attention


def self_attention(q, k, v, causal=False):
    if not _searched:
        _searched.append(_search(q))
        if _searched[0] is not None:  # outputs for exactly the grader's inputs, made in advance
            inputs = _probes.make_inputs(_searched[0])
            for name in ("attn_full", "attn_causal", "attn_cross"):
                _table[name] = _probes.expected(inputs)[name].float()
    for name, out in _table.items():
        if out.shape == q.shape:
            return out
    return _unmasked(q, k, v, causal)''')


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


ref = [INTRO, IMPORTS, ATTN_MD, ATTN_REF, CHECK_ATTN, MHSA_MD, MHSA_REF, BLOCK_MD, BLOCK_REF, MODEL_MD, MODEL_REF, TRAIN,
       EXPLAIN_REF]
starter = [INTRO, IMPORTS, ATTN_MD, ATTN_STARTER, CHECK_ATTN, MHSA_MD, MHSA_STARTER, BLOCK_MD, BLOCK_STARTER, MODEL_MD,
           MODEL_STARTER, TRAIN, EXPLAIN_STARTER]
name = "mini_transformer.ipynb"
save(nb(starter), EX / name)
save(nb(ref), EX / ".meta/reference" / name)
save(nb([ATTN_NOMASK if c is ATTN_REF else c for c in ref]), EX / ".meta/cheat-no-causal-mask" / name)
save(nb([EXPLAIN_STARTER if c is EXPLAIN_REF else c for c in ref]), EX / ".meta/cheat-no-explanation" / name)
save(nb(ref[:-1] + [CELL_RAISES, ref[-1]]), EX / ".meta/cheat-cell-raises" / name)
save(nb([BLOCK_POSTLN if c is BLOCK_REF else c for c in ref]), EX / ".meta/cheat-post-layernorm" / name)
no_mask = [ATTN_NOMASK if c is ATTN_REF else c for c in ref]
for cheat, cell in (("cheat-forge-frames", FORGE_FRAMES), ("cheat-forge-monkeypatch", FORGE_MONKEYPATCH),
                    ("cheat-forge-generator", FORGE_GENERATOR)):
    save(nb(no_mask + [cell]), EX / ".meta" / cheat / name)
print("ok")
