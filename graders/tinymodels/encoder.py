"""The tiny BERT: a WordPiece tokenizer and a BERT-style encoder pretrained with masked-LM, cached.

The encoder exercise (extractive-qa, issue 17; not graded yet) is to fine-tune it. Same rules as the tiny Llama
(:mod:`graders.tinymodels.build`): an :class:`EncoderRecipe` is plain frozen data whose every field
is in the cache key; budgets are steps, never seconds; the build runs under
:func:`graders.tinymodels.train.deterministic`, so the same recipe on the same machine and library
majors gives bitwise-identical files::

    general corpus + world articles ──► WordPiece tokenizer (uncased) ──► [CLS] window [SEP] batches ──► BertForMaskedLM
                                                                                          │
                          metrics.json ◄── masked-token accuracy / loss on general valid ◄┘

The saved folder is an ordinary Hugging Face one: ``AutoModelForQuestionAnswering.from_pretrained``
loads the encoder and adds a fresh span head (the MLM head is dropped, as for ``bert-base-uncased``);
``AutoTokenizer.from_pretrained`` gives a fast tokenizer with offsets.

Importing this module imports nothing heavy; torch, transformers and tokenizers load inside the
functions that build or load.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graders.tinymodels import cache
from graders.tinymodels.corpora import CORPUS_SEED, corpus_texts
from graders.tinymodels.recipe import KIT_VERSION, library_versions

if TYPE_CHECKING:
    import torch
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    from graders.tinymodels.build import Progress

__all__ = ["DEFAULT_ENCODER_RECIPE", "ENCODER_FORMAT", "SPECIAL_TOKENS", "TEST_ENCODER_RECIPE", "BuiltEncoder",
           "EncoderRecipe", "build_encoder", "encoder_cache_key"]

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP, MASK)  # ids 0..4, in this order

#: Bumped whenever the build's code changes what a recipe produces (2: the vocabulary renumbered
#: deterministically; 3: world articles in the pretraining text), so a cache entry of older code is
#: never taken for the current one.
ENCODER_FORMAT = 3

_STAGES = {"corpus": 0.01, "tokenizer": 0.03, "train": 0.92, "evaluate": 0.03, "save": 0.01}


@dataclass(frozen=True)
class EncoderRecipe:
    """How to build one WordPiece tokenizer + tiny BERT. The defaults are what the exercises use."""

    corpus_seed: int = CORPUS_SEED
    train_docs: int = 5_000
    # Articles of generated worlds (graders.world, streams "encoder-<i>": never a world a grader
    # draws questions from) mixed into the pretraining text, as BERT read Wikipedia before SQuAD:
    # masked names that an article repeats teach the encoder to copy a name from elsewhere in its
    # window, the ability span extraction rests on. Without them (general prose only) a tiny encoder
    # fine-tuned for 1500 steps stays at the heuristics' level (see extractive-qa/.meta/design.md).
    world_docs: int = 12_000
    eval_docs: int = 200

    vocab_size: int = 4096

    hidden_size: int = 64
    intermediate_size: int = 256
    num_layers: int = 3
    num_heads: int = 2
    max_position_embeddings: int = 512

    seed: int = 0
    # The loss still falls at 3000 steps (3.4; 2.3 at 6000), and the reference's hidden F1 with it:
    # 0.50-0.58 over five seeds on the 3000-step encoder, 0.53-0.60 on this one.
    steps: int = 6000
    batch_size: int = 32
    seq_len: int = 256  # documents are cut to this many tokens (the world's articles are ≈ 200)
    mask_prob: float = 0.15
    # No dropout while pretraining, as in the authoring experiments where the loss dropped (to ~2)
    # once copying names appeared; the first build, with 0.1 (and stream windows, see pretrain_mlm),
    # stayed at 5.7. The fine-tuning learner sets their own.
    dropout: float = 0.0
    lr: float = 3e-3
    min_lr: float = 3e-4
    warmup_steps: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    num_threads: int = 1  # one thread: steadier on a shared machine, and what CI runs with

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type == "float":
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise TypeError(f"EncoderRecipe.{f.name} must be a float, got {value!r}")
                object.__setattr__(self, f.name, float(value))
            elif isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"EncoderRecipe.{f.name} must be an int, got {value!r}")
        if self.world_docs < 0:
            raise ValueError(f"EncoderRecipe.world_docs must be >= 0, got {self.world_docs}")
        for name in ("train_docs", "eval_docs", "vocab_size", "hidden_size", "intermediate_size", "num_layers",
                     "num_heads", "steps", "batch_size", "seq_len", "num_threads"):
            if getattr(self, name) <= 0:
                raise ValueError(f"EncoderRecipe.{name} must be > 0, got {getattr(self, name)}")
        if self.hidden_size % self.num_heads:
            raise ValueError("hidden_size must divide by num_heads")
        if self.seq_len > self.max_position_embeddings:
            raise ValueError("seq_len must fit in max_position_embeddings")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")
        if not 0.0 < self.mask_prob < 1.0:
            raise ValueError("mask_prob must be in (0, 1)")
        if not 0 < self.min_lr <= self.lr:
            raise ValueError("need 0 < min_lr <= lr")
        if not 0 <= self.warmup_steps < self.steps:
            raise ValueError("need 0 <= warmup_steps < steps")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EncoderRecipe:
        unknown = sorted(set(data) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"unknown encoder recipe field(s): {', '.join(unknown)}")
        return cls(**data)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of every field and the family (never equal to a Llama recipe's)."""
        canonical = json.dumps({"family": "bert-mlm", "format": ENCODER_FORMAT, **self.to_dict()}, sort_keys=True,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def encoder_cache_key(recipe: EncoderRecipe) -> str:
    """The cache entry's name: the recipe, the library majors and the kit version, hashed."""
    payload = json.dumps({"recipe": recipe.digest(), "libraries": library_versions(), "kit": KIT_VERSION},
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


#: The encoder for extractive-qa: 3 layers of 64, 6000 masked-LM steps on one thread (≈ 12.5 min CPU, once).
DEFAULT_ENCODER_RECIPE = EncoderRecipe()

#: A toy for unit tests: builds in a few seconds.
TEST_ENCODER_RECIPE = EncoderRecipe(train_docs=1_500, world_docs=300, eval_docs=50, vocab_size=512, hidden_size=64,
                                    intermediate_size=128, num_layers=2, num_heads=2, max_position_embeddings=256,
                                    steps=60, batch_size=8, seq_len=64, lr=2e-3, min_lr=2e-4, warmup_steps=5)


@dataclass(frozen=True)
class BuiltEncoder:
    """A complete cache entry of the encoder."""

    path: Path
    recipe_hash: str
    recipe: EncoderRecipe
    metrics: dict[str, Any]
    built_now: bool = False


def build_encoder(recipe: EncoderRecipe = DEFAULT_ENCODER_RECIPE, progress: Progress | None = None) -> BuiltEncoder:
    """The built encoder for ``recipe``, building it first when the cache has none (process-safe:
    one process builds, the others wait for it and reuse its entry)."""
    report = progress or (lambda message, fraction: None)
    key = encoder_cache_key(recipe)
    path, built_now = cache.ensure_entry(
        key, lambda tmp: _build_into(tmp, recipe, report),
        on_wait=lambda: report("another process is building this encoder; waiting for it", 0.0))
    metrics = json.loads((path / cache.ENTRY_MARKER).read_text())
    if not built_now:
        report(f"cached encoder at {path}", 1.0)
    return BuiltEncoder(path=path, recipe_hash=key, recipe=recipe, metrics=metrics, built_now=built_now)


# -- the pieces ----------------------------------------------------------------------------------


def train_wordpiece(texts: Sequence[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """An uncased WordPiece tokenizer (BERT's normaliser and pre-tokeniser) trained on ``texts``."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token=UNK))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True, clean_text=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS),
                                        continuing_subword_prefix="##", show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer, length=len(texts))
    # The trainer numbers its "##x" alphabet in hash order, so two builds of one recipe gave the same
    # vocabulary under different ids (and so different weights). WordPiece matches by membership
    # (longest piece first), not by id: renumbering it — special tokens first, the rest sorted — keeps
    # every tokenisation and makes the ids, and the build, deterministic.
    pieces = sorted(set(tok.get_vocab()) - set(SPECIAL_TOKENS))
    tok.model = models.WordPiece({t: i for i, t in enumerate([*SPECIAL_TOKENS, *pieces])}, unk_token=UNK,
                                 continuing_subword_prefix="##")
    cls_id, sep_id = tok.token_to_id(CLS), tok.token_to_id(SEP)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{CLS} $A {SEP}", pair=f"{CLS} $A {SEP} $B:1 {SEP}:1",
        special_tokens=[(CLS, cls_id), (SEP, sep_id)])
    return PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok, unk_token=UNK, sep_token=SEP, pad_token=PAD, cls_token=CLS, mask_token=MASK,
        model_max_length=512, padding_side="right", clean_up_tokenization_spaces=False,
        model_input_names=["input_ids", "token_type_ids", "attention_mask"])


def world_articles(count: int, seed: int) -> list[str]:
    """``count`` question contexts (an article with other entities' sentences spliced in) of fresh
    worlds, 30 per world, in a fixed order: streams ``encoder-<i>`` of ``seed``, which no grader uses."""
    import random

    from graders.world import build_world
    from graders.world.squad import draw_examples

    out: list[str] = []
    for i in range((count + 29) // 30):
        world = build_world(seed, f"encoder-{i}")
        rng = random.Random(f"llm-sprint/encoder/{seed}/{i}")
        out += [e.context for e in draw_examples(world, min(30, count - len(out)), rng=rng)]
    return out


def bert_config(recipe: EncoderRecipe, vocab_size: int, pad_id: int) -> BertConfig:
    from transformers import BertConfig

    return BertConfig(vocab_size=vocab_size, hidden_size=recipe.hidden_size, num_hidden_layers=recipe.num_layers,
                      num_attention_heads=recipe.num_heads, intermediate_size=recipe.intermediate_size,
                      max_position_embeddings=recipe.max_position_embeddings, type_vocab_size=2,
                      pad_token_id=pad_id, hidden_dropout_prob=recipe.dropout,
                      attention_probs_dropout_prob=recipe.dropout)


def token_stream(tokenizer: PreTrainedTokenizerFast, texts: Sequence[str]) -> torch.Tensor:
    """Every document's tokens, each followed by [SEP], as one int64 stream of shape (N,)."""
    import torch

    sep = tokenizer.sep_token_id
    ids: list[int] = []
    for row in tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
        ids.extend(row)
        ids.append(sep)
    return torch.tensor(ids, dtype=torch.long)


def mask_tokens(x: torch.Tensor, recipe: EncoderRecipe, *, vocab: int, mask_id: int, first_normal: int,
                gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's masking: ``mask_prob`` of the ordinary tokens become targets; of those 80 % are replaced
    by [MASK], 10 % by a random ordinary token, 10 % kept. Returns (inputs, labels with -100 elsewhere)."""
    import torch

    ordinary = x >= first_normal  # (B, T): special tokens are never targets
    chosen = (torch.rand(x.shape, generator=gen) < recipe.mask_prob) & ordinary  # (B, T)
    labels = torch.where(chosen, x, torch.full_like(x, -100))
    roll = torch.rand(x.shape, generator=gen)  # (B, T)
    inputs = x.clone()
    inputs[chosen & (roll < 0.8)] = mask_id
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = torch.randint(first_normal, vocab, x.shape, generator=gen)[swap]
    return inputs, labels


def _lr_at(step: int, recipe: EncoderRecipe) -> float:
    if step < recipe.warmup_steps:
        return recipe.lr * (step + 1) / recipe.warmup_steps
    progress = (step - recipe.warmup_steps) / max(1, recipe.steps - recipe.warmup_steps)
    return recipe.min_lr + 0.5 * (recipe.lr - recipe.min_lr) * (1.0 + math.cos(math.pi * progress))


def _windows(stream: torch.Tensor, starts: torch.Tensor, length: int, cls_id: int, sep_id: int) -> torch.Tensor:
    """``[CLS] stream[s : s + length - 2] [SEP]`` for every start: shape (B, length)."""
    import torch

    body = stream[starts[:, None] + torch.arange(length - 2)]  # (B, length-2)
    b = body.shape[0]
    return torch.cat([torch.full((b, 1), cls_id), body, torch.full((b, 1), sep_id)], dim=1)


def _mlm_loss(model: BertForMaskedLM, inputs: torch.Tensor, labels: torch.Tensor,
              attention_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Cross-entropy of the masked positions only: the vocabulary projection runs on those ~15 %
    of the tokens rather than on every one (the loss is the same as ``model(labels=…).loss``)."""
    import torch.nn.functional as F

    hidden = model.bert(input_ids=inputs, attention_mask=attention_mask).last_hidden_state  # (B, T, H)
    picked = labels != -100  # (B, T)
    logits = model.cls(hidden[picked])  # (M, V)
    return F.cross_entropy(logits, labels[picked])


def document_rows(tokenizer: PreTrainedTokenizerFast, texts: Sequence[str], length: int) -> list[list[int]]:
    """``[CLS] document [SEP]`` of every text, cut to ``length`` tokens."""
    rows: list[list[int]] = tokenizer(list(texts), truncation=True, max_length=length)["input_ids"]
    return rows


def _document_batch(rows: list[list[int]], picks: list[int], pad_id: int) -> torch.Tensor:
    """The picked rows, right-padded to the longest: shape (B, T)."""
    import torch

    width = max(len(rows[i]) for i in picks)
    x = torch.full((len(picks), width), pad_id, dtype=torch.long)
    for b, i in enumerate(picks):
        x[b, :len(rows[i])] = torch.tensor(rows[i])
    return x


def pretrain_mlm(model: BertForMaskedLM, rows: list[list[int]], recipe: EncoderRecipe,
                 tokenizer: PreTrainedTokenizerFast, on_step: Any = None) -> list[float]:
    """Masked-LM pretraining of ``model`` in place for ``recipe.steps`` steps; the loss of every step.

    Each batch row is one whole document (:func:`document_rows`), not a window cut from a stream of
    them: measured, the same recipe on 128- or 192-token stream windows stayed at loss ≈ 5.7 for
    3000 steps, while on whole documents the loss drops to ≈ 2 once the encoder starts copying the
    names an article repeats (a window often starts mid-article, after the full name)."""
    import torch

    B = recipe.batch_size
    if not rows:
        raise ValueError("no training documents")
    gen = torch.Generator().manual_seed(recipe.seed)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": recipe.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=recipe.lr, betas=(0.9, 0.98),
                            foreach=False)
    first_normal = len(SPECIAL_TOKENS)
    vocab = int(model.config.vocab_size)
    losses: list[float] = []
    model.train()
    for step in range(recipe.steps):
        for group in opt.param_groups:
            group["lr"] = _lr_at(step, recipe)
        picks = torch.randint(0, len(rows), (B,), generator=gen).tolist()
        x = _document_batch(rows, picks, tokenizer.pad_token_id)  # (B, T)
        inputs, labels = mask_tokens(x, recipe, vocab=vocab, mask_id=tokenizer.mask_token_id,
                                     first_normal=first_normal, gen=gen)
        loss = _mlm_loss(model, inputs, labels, attention_mask=(x != tokenizer.pad_token_id).long())
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        opt.step()
        losses.append(float(loss.item()))
        if on_step is not None:
            on_step(step + 1, losses[-1])
    model.eval()  # type: ignore[no-untyped-call]
    return losses


def masked_accuracy(model: BertForMaskedLM, tokenizer: PreTrainedTokenizerFast, texts: Sequence[str],
                    recipe: EncoderRecipe) -> tuple[float, float]:
    """(accuracy, mean loss) of predicting masked tokens of ``texts`` (fixed masks, seed 1)."""
    import torch

    stream = token_stream(tokenizer, texts)
    T = recipe.seq_len
    n = max(1, (stream.numel() - 2) // (T - 2))
    starts = torch.arange(n) * (T - 2)
    starts = starts[starts + T - 2 <= stream.numel()]
    x = _windows(stream, starts, T, tokenizer.cls_token_id, tokenizer.sep_token_id)
    gen = torch.Generator().manual_seed(1)
    inputs, labels = mask_tokens(x, recipe, vocab=int(model.config.vocab_size), mask_id=tokenizer.mask_token_id,
                                 first_normal=len(SPECIAL_TOKENS), gen=gen)
    correct = total = 0
    loss_sum = 0.0
    with torch.no_grad():
        for i in range(0, x.shape[0], 32):
            out = model(input_ids=inputs[i:i + 32], labels=labels[i:i + 32])
            target = labels[i:i + 32]
            picked = target != -100
            correct += int((out.logits.argmax(-1)[picked] == target[picked]).sum())
            total += int(picked.sum())
            loss_sum += float(out.loss) * int(picked.sum())
    return correct / max(1, total), loss_sum / max(1, total)


def _build_into(out: Path, recipe: EncoderRecipe, report: Progress) -> None:
    import torch
    from transformers import BertForMaskedLM

    from graders.tinymodels.model import quiet_progress_bars
    from graders.tinymodels.train import deterministic

    done = 0.0

    def meter(stage: str, message: str, within: float = 0.0) -> None:
        report(message, min(1.0, done + _STAGES[stage] * within))

    timings: dict[str, float] = {}
    t_start = time.perf_counter()
    with deterministic(recipe.num_threads):
        t = time.perf_counter()
        meter("corpus", "generating the general corpus and the world articles")
        texts = corpus_texts("general", "train", recipe.train_docs, seed=recipe.corpus_seed)
        texts += world_articles(recipe.world_docs, recipe.corpus_seed)
        valid = corpus_texts("general", "valid", recipe.eval_docs, seed=recipe.corpus_seed)
        timings["corpus_s"] = time.perf_counter() - t
        done += _STAGES["corpus"]

        t = time.perf_counter()
        meter("tokenizer", f"training a WordPiece tokenizer (≤ {recipe.vocab_size} tokens)")
        tokenizer = train_wordpiece(texts, recipe.vocab_size)
        rows = document_rows(tokenizer, texts, recipe.seq_len)
        timings["tokenizer_s"] = time.perf_counter() - t
        done += _STAGES["tokenizer"]

        torch.manual_seed(recipe.seed)
        model = BertForMaskedLM(bert_config(recipe, len(tokenizer), tokenizer.pad_token_id))
        acc_init, _ = masked_accuracy(model, tokenizer, valid, recipe)
        t = time.perf_counter()

        def on_step(step: int, loss: float) -> None:
            if step == 1 or step % 25 == 0 or step == recipe.steps:
                meter("train", f"masked-LM pretraining step {step}/{recipe.steps}, loss {loss:.3f}",
                      step / recipe.steps)

        losses = pretrain_mlm(model, rows, recipe, tokenizer, on_step)
        timings["train_s"] = time.perf_counter() - t
        done += _STAGES["train"]

        t = time.perf_counter()
        meter("evaluate", "masked-token accuracy on general valid")
        acc, loss = masked_accuracy(model, tokenizer, valid, recipe)
        timings["evaluate_s"] = time.perf_counter() - t
        done += _STAGES["evaluate"]

        meter("save", f"saving to {out}")
        with quiet_progress_bars():
            model.save_pretrained(out)
            tokenizer.save_pretrained(out)
        (out / "recipe.json").write_text(recipe.to_json())
        timings["total_s"] = time.perf_counter() - t_start
        metrics = {
            "parameters": sum(p.numel() for p in model.bert.parameters()),
            "vocab_size": len(tokenizer),
            "train_tokens": sum(len(r) for r in rows),
            "final_train_loss": sum(losses[-20:]) / len(losses[-20:]),
            "masked_accuracy_init": acc_init,
            "masked_accuracy": acc,
            "masked_loss": loss,
            "timings": {k: round(v, 2) for k, v in timings.items()},
            "torch": torch.__version__,
        }
        (out / cache.ENTRY_MARKER).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    report("done", 1.0)
