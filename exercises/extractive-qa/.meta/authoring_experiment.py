"""Authoring experiment: train the reference (with STEPS / LR overridden) and score it on the hidden
questions of a seed, beside the two heuristic baselines — outside the sandbox, for tuning.

    [BASE=encoder-folder] [VARIANT=cheat-name] HF_HUB_OFFLINE=1 \
        python exercises/extractive-qa/.meta/authoring_experiment.py STEPS LR SEED [TRAIN_EXAMPLES]

VARIANT trains that cheat instead (its base and .meta/edits.yaml applied, as `sprint dev check` does); STEPS 0 keeps the
variant's own STEPS.
"""

import os
import sys
import tempfile
import time
import types
from pathlib import Path

from graders.kinds.qa_measure import hidden_examples, predict
from graders.kinds.qa_train_measure import write_training_data
from graders.scoring.squad import squad_scores
from graders.tinymodels.encoder import build_encoder
from graders.world.squad import best_sentence, first_of_type
from tracker.devcheck import load_meta, materialise

steps, lr, seed = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
n_train = int(sys.argv[4]) if len(sys.argv) > 4 else 20_000
library = Path(__file__).resolve().parent.parent
# The variant as `sprint dev check` builds it (a cheat's base and .meta/edits.yaml applied).
with materialise(library, library / ".meta" / os.environ.get("VARIANT", "reference"), load_meta(library)) as folder:
    source = (folder / "qa.py").read_text(encoding="utf-8")
ref = types.ModuleType("variant")
exec(compile(source, "variant/qa.py", "exec"), ref.__dict__)
ref.LR = lr
if steps:
    ref.STEPS = steps
base = os.environ.get("BASE") or str(build_encoder().path)  # BASE: another encoder folder
with tempfile.TemporaryDirectory() as d:
    train, dev = write_training_data(seed, Path(d) / "data", n_train, 50)
    wall, cpu = time.time(), time.process_time()
    ref.train(base, str(train), str(dev), d + "/out")
    print(f"train: {time.time() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    model = AutoModelForQuestionAnswering.from_pretrained(d + "/out")
    tokenizer = AutoTokenizer.from_pretrained(d + "/out")
    hidden = hidden_examples(seed, 300)
    predicted = predict(model, tokenizer, [e.question for e in hidden], [e.context for e in hidden])
    gold = {e.id: [e.answer] for e in hidden}
    print("reference EM, F1:", squad_scores({e.id: p for e, p in zip(hidden, predicted)}, gold))
    print("first of type EM, F1:", squad_scores({e.id: first_of_type(e) for e in hidden}, gold))
    print("best sentence EM, F1:", squad_scores({e.id: best_sentence(e) for e in hidden}, gold))
    wrong = [(e, p) for e, p in zip(hidden, predicted) if p != e.answer]
    for e, p in wrong[:12]:
        print(f"- {e.question} → {p!r} (answer {e.answer!r})")
