"""Measuring process of kind ``qa`` — trusted; imports none of the learner's code.

It runs in a sandboxed process of its own, on a folder that holds only the files of the model the
learner saved (configuration, safetensors weights, tokenizer files: no pickle, no code), and loads
them with ``transformers``' Auto classes (``trust_remote_code`` off). It draws the hidden questions
from the run's seed (:func:`hidden_examples`), predicts an answer span for each one with the
standard SQuAD post-processing (:func:`predict`) and computes SQuAD's exact match and F1 — and the
F1 of the two heuristic baselines on the same questions. Under the gpu profile the questions are
SQuAD v1.1's dev set, read from the learner's copy.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from graders.harness.channel import Channel

__all__ = ["hidden_examples", "measure", "predict"]

MAX_LENGTH = 384
STRIDE = 128


def hidden_examples(seed: int, count: int) -> list[Any]:
    """The run's hidden questions: a world of their own (``stream="hidden"``), never the training one."""
    from graders.kinds.qa_train_measure import DISTRACTORS
    from graders.world import build_world
    from graders.world.squad import draw_examples

    world = build_world(seed, "hidden")
    return draw_examples(world, count, rng=random.Random(f"llm-sprint/qa/{seed}/hidden"), distractors=DISTRACTORS,
                         id_prefix="h")


def predict(model: Any, tokenizer: Any, questions: list[str], contexts: list[str], *, max_answer_tokens: int = 30,
            batch_size: int = 32, device: str = "cpu") -> list[str]:
    """The best span of each context for its question: start + end logit, start ≤ end, at most
    ``max_answer_tokens`` tokens, inside the context (never the question or a special token);
    long contexts in windows of :data:`MAX_LENGTH` tokens overlapping by :data:`STRIDE`."""
    import torch

    enc = tokenizer(questions, contexts, truncation="only_second", max_length=MAX_LENGTH, stride=STRIDE,
                    return_overflowing_tokens=True, return_offsets_mapping=True, padding=True, return_tensors="pt")
    owner = enc.pop("overflow_to_sample_mapping").tolist()  # feature → example
    offsets = enc.pop("offset_mapping")  # (F, T, 2)
    best: list[tuple[float, str]] = [(-float("inf"), "") for _ in questions]
    model.eval()
    with torch.no_grad():
        for lo in range(0, len(owner), batch_size):
            batch = {k: v[lo:lo + batch_size].to(device) for k, v in enc.items()}
            out = model(**batch)
            starts, ends = out.start_logits.float().cpu(), out.end_logits.float().cpu()  # (B, T)
            for i in range(starts.shape[0]):
                feature = lo + i
                in_context = torch.tensor([s == 1 for s in enc.sequence_ids(feature)])  # (T,)
                s = starts[i].masked_fill(~in_context, -1e9)
                e = ends[i].masked_fill(~in_context, -1e9)
                n = s.shape[0]
                score = s[:, None] + e[None, :]  # (T, T): start row, end column
                band = torch.ones(n, n, dtype=torch.bool).triu() & ~torch.ones(n, n, dtype=torch.bool).triu(
                    max_answer_tokens)
                score = score.masked_fill(~band, -1e9)
                flat = int(score.argmax())
                a, b = divmod(flat, n)
                value = float(score.view(-1)[flat])
                example = owner[feature]
                if value > best[example][0] and value > -1e8:
                    text = contexts[example][int(offsets[feature][a][0]):int(offsets[feature][b][1])]
                    best[example] = (value, text)
    return [text for _, text in best]


def _squad_dev(folder: Path) -> tuple[list[str], list[str], list[str], dict[str, list[str]]]:
    """(ids, questions, contexts, answers) of SQuAD v1.1's dev-v1.1.json in ``folder``."""
    data = json.loads((folder / "dev-v1.1.json").read_text(encoding="utf-8"))
    ids, questions, contexts, answers = [], [], [], {}
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                ids.append(qa["id"])
                questions.append(qa["question"])
                contexts.append(paragraph["context"])
                answers[qa["id"]] = [a["text"] for a in qa["answers"]]
    return ids, questions, contexts, answers


def measure(args: dict[str, Any], channel: Channel) -> None:
    """Load the saved model from ``args["model_dir"]``, answer the hidden questions, score them."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    from graders.scoring.squad import squad_scores
    from graders.tinymodels.model import quiet_progress_bars
    from graders.world.squad import best_sentence, first_of_type

    torch.manual_seed(0)
    torch.set_num_threads(int(args.get("threads", 2)))
    device = str(args.get("device", "cpu"))
    folder = str(args["model_dir"])
    try:
        with quiet_progress_bars():
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
            loader: Any = AutoModelForQuestionAnswering.from_pretrained
            model = loader(folder, local_files_only=True, trust_remote_code=False, use_safetensors=True).to(device)
    except Exception as exc:  # the learner's files: told in words, not as our traceback
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        channel.fault(f"the saved model could not be loaded as a question-answering model ({type(exc).__name__}: "
                      f"{first}); save it with model.save_pretrained(output_dir) and "
                      "tokenizer.save_pretrained(output_dir)", status="fail")
        return
    if not getattr(tokenizer, "is_fast", False):
        channel.fault("the saved tokenizer is not a fast tokenizer: answers are cut out of the context with "
                      "the tokenizer's character offsets, which only fast (tokenizers-backed) tokenizers give; "
                      "save the tokenizer you were given", status="fail")
        return
    shape = {k: getattr(model.config, k, None) for k in ("model_type", "hidden_size", "num_hidden_layers",
                                                          "num_attention_heads", "vocab_size")}
    expected = args.get("expect_shape") or {}
    wrong = {k: (shape.get(k), v) for k, v in expected.items() if shape.get(k) != v}
    if wrong:
        said = ", ".join(f"{k} {got!r} (expected {want!r})" for k, (got, want) in wrong.items())
        channel.fault(f"the saved model is not the encoder this exercise fine-tunes: {said}", status="fail")
        return

    if args.get("squad_dir"):
        ids, questions, contexts, answers = _squad_dev(Path(str(args["squad_dir"])))
        preds = predict(model, tokenizer, questions, contexts, max_answer_tokens=int(args["max_answer_tokens"]),
                        device=device, batch_size=int(args.get("batch_size", 64)))
        em, f1 = squad_scores(dict(zip(ids, preds, strict=True)), answers)
        channel.result(exact_match=em, f1=f1, questions=len(ids), baseline_f1=None, sentence_baseline_f1=None,
                       examples=[], shape=shape)
        return

    examples = hidden_examples(int(args["seed"]), int(args["hidden_examples"]))
    answers = {ex.id: [ex.answer] for ex in examples}
    preds = predict(model, tokenizer, [ex.question for ex in examples], [ex.context for ex in examples],
                    max_answer_tokens=int(args["max_answer_tokens"]), device=device)
    em, f1 = squad_scores({ex.id: p for ex, p in zip(examples, preds, strict=True)}, answers)
    _, baseline = squad_scores({ex.id: first_of_type(ex) for ex in examples}, answers)
    _, sentence = squad_scores({ex.id: best_sentence(ex) for ex in examples}, answers)
    wrong_examples = [{"question": ex.question, "predicted": p, "answer": ex.answer}
                      for ex, p in zip(examples, preds, strict=True) if p != ex.answer][:3]
    channel.result(exact_match=em, f1=f1, questions=len(examples), baseline_f1=baseline,
                   sentence_baseline_f1=sentence, examples=wrong_examples, shape=shape)
