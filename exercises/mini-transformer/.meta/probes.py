"""Hidden probes of mini-transformer (trusted library code, loaded by the ``notebook`` kind).

``make_inputs(seed)`` draws the inputs (in the grader's measurer); ``PROBE`` runs as one more cell
in the learner's kernel, reads them from a ``graders.wire`` frame, calls ``self_attention``,
``MultiHeadSelfAttention`` and ``TransformerBlock`` on them and writes the raw outputs as another
frame; ``expected(inputs)`` is the float64 reference the measurer compares them with.
Only torch inside functions: the grader's parent process imports this module for ``EXPLANATION``.
"""

from __future__ import annotations

import math
from typing import Any

#: Loose heuristic over the markdown cells (headings excluded): each group needs one match somewhere.
#: English and Russian (the seeds' language) wordings are both accepted.
EXPLANATION: dict[str, list[str]] = {
    "why attention is O(n²)": [r"n\s*(²|\^\s*\{?2|\*\*\s*2)", r"quadratic", r"квадрат", r"\bn\s*(×|x|\*|\\times)\s*n\b",
                               r"O\(\s*[nNLT]\s*2", r"\b[LT]\s*(²|\^\s*\{?2)"],
    "FlashAttention": [r"flash[- ]?attention"],
    # "block" alone is not enough: the notebook itself talks about Transformer blocks.
    "how it saves memory (tiling / SRAM / online softmax)": [r"\btil(e|es|ed|ing)\b", r"\bsram\b", r"\bhbm\b",
                                                             r"online[- ]softmax", r"block[- ]?wise", r"in blocks",
                                                             r"recomput", r"тайл", r"поблочн", r"блоками",
                                                             r"онлайн"],
}

D_MODEL, N_HEADS, D_FF = 48, 4, 96

PROBE = '''
import torch as _t
from graders import wire as _wire
with open(".grader/inputs.frame", "rb") as _f:
    _inp = {_n: _a.to_torch() for _n, _a in _wire.decode(_f.read())["inputs"].items()}
_out = {}
with _t.no_grad():
    for _name in ("attn_full", "attn_causal", "attn_cross"):
        _q, _k, _v = _inp[_name + ".q"], _inp[_name + ".k"], _inp[_name + ".v"]
        _out[_name] = self_attention(_q, _k, _v, causal=_name == "attn_causal")
    _mhsa = MultiHeadSelfAttention(D_MODEL, N_HEADS)
    _mhsa.load_state_dict({_n[5:]: _p for _n, _p in _inp.items() if _n.startswith("mhsa.")})
    _mhsa.eval()
    _out["mhsa_causal"] = _mhsa(_inp["x"], causal=True)
    _out["mhsa_full"] = _mhsa(_inp["x"], causal=False)
    _blk = TransformerBlock(D_MODEL, N_HEADS, D_FF)
    _blk.load_state_dict({_n[6:]: _p for _n, _p in _inp.items() if _n.startswith("block.")})
    _blk.eval()
    _out["block_causal"] = _blk(_inp["x"], causal=True)
    _out["block_full"] = _blk(_inp["x"], causal=False)
with open(".grader/outputs.frame", "wb") as _f:
    _f.write(_wire.encode({"outputs": {_n: _p.detach() if isinstance(_p, _t.Tensor) else _wire.Opaque(type(_p).__name__, "")
                                       for _n, _p in _out.items()}}))
'''.replace("D_MODEL", str(D_MODEL)).replace("N_HEADS", str(N_HEADS)).replace("D_FF", str(D_FF))


def make_inputs(seed: int) -> dict[str, Any]:
    import torch

    g = torch.Generator().manual_seed(seed)

    def randn(*shape: int, std: float = 1.0) -> torch.Tensor:
        return torch.randn(*shape, generator=g) * std

    t = 17 + 2 * int(torch.randint(0, 12, (1,), generator=g))  # odd sequence length 17..39
    out: dict[str, Any] = {}
    for name, (lq, lk) in {"attn_full": (t, t), "attn_causal": (t, t), "attn_cross": (t - 6, t + 4)}.items():
        out[f"{name}.q"], out[f"{name}.k"], out[f"{name}.v"] = (randn(2, 3, n, 16) for n in (lq, lk, lk))
    c = D_MODEL
    mhsa = {"qkv.weight": randn(3 * c, c, std=c ** -0.5), "qkv.bias": randn(3 * c, std=0.1),
            "proj.weight": randn(c, c, std=c ** -0.5), "proj.bias": randn(c, std=0.1)}
    out.update({f"mhsa.{k}": v for k, v in mhsa.items()})
    block = {
        "ln1.weight": 1 + randn(c, std=0.1), "ln1.bias": randn(c, std=0.1),
        **{f"attn.{k}": randn(*v.shape, std=float(v.std())) for k, v in mhsa.items()},
        "ln2.weight": 1 + randn(c, std=0.1), "ln2.bias": randn(c, std=0.1),
        "mlp.0.weight": randn(D_FF, c, std=c ** -0.5), "mlp.0.bias": randn(D_FF, std=0.1),
        "mlp.2.weight": randn(c, D_FF, std=D_FF ** -0.5), "mlp.2.bias": randn(c, std=0.1),
    }
    out.update({f"block.{k}": v for k, v in block.items()})
    out["x"] = randn(2, t, c)
    return out


def _attention(q: Any, k: Any, v: Any, causal: bool) -> Any:
    import torch

    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [B, H, T, T]
    if causal:
        t_q, t_k = q.shape[-2], k.shape[-2]
        keep = torch.ones(t_q, t_k, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def _mhsa(p: dict[str, Any], x: Any, causal: bool) -> Any:
    import torch.nn.functional as F

    B, T, C = x.shape
    q, k, v = F.linear(x, p["qkv.weight"], p["qkv.bias"]).split(C, dim=-1)
    q, k, v = (t.view(B, T, N_HEADS, C // N_HEADS).transpose(1, 2) for t in (q, k, v))  # [B, H, T, hd]
    y = _attention(q, k, v, causal).transpose(1, 2).reshape(B, T, C)
    return F.linear(y, p["proj.weight"], p["proj.bias"])


def _block(p: dict[str, Any], x: Any, causal: bool) -> Any:
    import torch.nn.functional as F

    C = x.shape[-1]
    attn = {k[5:]: v for k, v in p.items() if k.startswith("attn.")}
    x = x + _mhsa(attn, F.layer_norm(x, (C,), p["ln1.weight"], p["ln1.bias"]), causal)
    h = F.layer_norm(x, (C,), p["ln2.weight"], p["ln2.bias"])
    return x + F.linear(F.gelu(F.linear(h, p["mlp.0.weight"], p["mlp.0.bias"])), p["mlp.2.weight"], p["mlp.2.bias"])


def expected(inputs: dict[str, Any]) -> dict[str, Any]:
    """The reference, in float64."""
    d = {k: v.double() for k, v in inputs.items()}
    out = {}
    for name in ("attn_full", "attn_causal", "attn_cross"):
        out[name] = _attention(d[f"{name}.q"], d[f"{name}.k"], d[f"{name}.v"], name == "attn_causal")
    mhsa = {k[5:]: v for k, v in d.items() if k.startswith("mhsa.")}
    block = {k[6:]: v for k, v in d.items() if k.startswith("block.")}
    for causal, tag in ((True, "causal"), (False, "full")):
        out[f"mhsa_{tag}"] = _mhsa(mhsa, d["x"], causal)
        out[f"block_{tag}"] = _block(block, d["x"], causal)
    return out
