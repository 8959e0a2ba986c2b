"""Authoring diagnostic: is the hidden world a different distribution, or is the model under-fitting?

Trains the reference (STEPS overridden) at the CI seed and prints its SQuAD (EM, F1) on four sets:
the hidden world, another draw of it, fresh training-like worlds, and questions it was trained on.

    [BASE=encoder-folder] HF_HUB_OFFLINE=1 python exercises/extractive-qa/.meta/diagnose_generalisation.py STEPS
"""

import importlib.util
import json
import os
import random
import sys
import tempfile
from pathlib import Path

from graders.kinds.qa_measure import hidden_examples, predict
from graders.kinds.qa_train_measure import DISTRACTORS, write_training_data
from graders.scoring.squad import squad_scores
from graders.tinymodels.encoder import build_encoder
from graders.world import build_world
from graders.world.squad import draw_examples

SEED = 20261122

spec = importlib.util.spec_from_file_location("reference", Path(__file__).parent / "reference" / "qa.py")
assert spec and spec.loader
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
ref.STEPS = int(sys.argv[1])
base = os.environ.get("BASE") or str(build_encoder().path)


def score(name: str, model, tokenizer, questions: list[str], contexts: list[str], answers: list[str]) -> None:
    predicted = predict(model, tokenizer, questions, contexts)
    ids = [str(i) for i in range(len(questions))]
    print(name, squad_scores(dict(zip(ids, predicted)), {i: [a] for i, a in zip(ids, answers)}), flush=True)


def score_examples(name: str, model, tokenizer, examples) -> None:
    score(name, model, tokenizer, [e.question for e in examples], [e.context for e in examples],
          [e.answer for e in examples])


with tempfile.TemporaryDirectory() as d:
    train, dev = write_training_data(SEED, Path(d) / "data", 20_000, 50)
    ref.train(base, str(train), str(dev), d + "/out")
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    model = AutoModelForQuestionAnswering.from_pretrained(d + "/out")
    tokenizer = AutoTokenizer.from_pretrained(d + "/out")
    score_examples("hidden world", model, tokenizer, hidden_examples(SEED, 300))
    score_examples("hidden world, another draw", model, tokenizer,
                   draw_examples(build_world(SEED, "hidden"), 300, rng=random.Random(5), distractors=DISTRACTORS))
    fresh = [e for i in range(8) for e in draw_examples(build_world(SEED, f"train-{9000 + i}"), 40,
                                                        rng=random.Random(i), distractors=DISTRACTORS)]
    score_examples("fresh training-like worlds", model, tokenizer, fresh)
    seen = [(a["paragraphs"][0], a["paragraphs"][0]["qas"][0]) for a in json.loads(train.read_text())["data"][:300]]
    score("questions trained on", model, tokenizer, [q["question"] for _, q in seen], [p["context"] for p, _ in seen],
          [q["answers"][0]["text"] for _, q in seen])
