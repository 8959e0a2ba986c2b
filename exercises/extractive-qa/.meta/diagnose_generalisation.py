"""Authoring diagnostic: F1 on the hidden world, on fresh training-like worlds and on questions trained on
(is the hidden world a different distribution, or is the model under-fitting?).

    BASE=encoder-folder HF_HUB_OFFLINE=1 python exercises/extractive-qa/.meta/diagnose_generalisation.py STEPS
"""
import importlib.util, json, os, random, sys, tempfile
from pathlib import Path
from graders.kinds.qa_measure import hidden_examples, predict
from graders.kinds.qa_train_measure import write_training_data, DISTRACTORS
from graders.scoring.squad import squad_scores
from graders.world import build_world
from graders.world.squad import draw_examples, first_of_type
spec = importlib.util.spec_from_file_location("reference", "exercises/extractive-qa/.meta/reference/qa.py")
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
ref.STEPS = int(sys.argv[1]); seed = 20261122
from transformers import AutoModelForQuestionAnswering, AutoTokenizer
with tempfile.TemporaryDirectory() as d:
    tr, dv = write_training_data(seed, Path(d) / "data", 20000, 50)
    ref.train(os.environ["BASE"], str(tr), str(dv), d + "/out")
    m = AutoModelForQuestionAnswering.from_pretrained(d + "/out"); tok = AutoTokenizer.from_pretrained(d + "/out")
    def score(name, ex):
        p = predict(m, tok, [e.question for e in ex], [e.context for e in ex])
        g = {e.id: [e.answer] for e in ex}
        print(name, "model", squad_scores({e.id: x for e, x in zip(ex, p)}, g), "first", squad_scores({e.id: first_of_type(e) for e in ex}, g)[1], flush=True)
    score("hidden world", hidden_examples(seed, 300))
    fresh = [e for i in range(8) for e in draw_examples(build_world(seed, f"train-{9000 + i}"), 40, rng=random.Random(i), distractors=DISTRACTORS, id_prefix=f"f{i}-")]
    score("fresh train-like worlds", fresh)
    one = draw_examples(build_world(seed, "hidden"), 300, rng=random.Random(5), distractors=DISTRACTORS, id_prefix="x")
    score("hidden world, other draw", one)
    data = json.load(open(tr))["data"][:300]
    class E: pass
    seen = []
    for k, a in enumerate(data):
        e = E(); e.id = f"s{k}"; p = a["paragraphs"][0]; q = p["qas"][0]
        e.question, e.context, e.answer = q["question"], p["context"], q["answers"][0]["text"]; seen.append(e)
    pr = predict(m, tok, [e.question for e in seen], [e.context for e in seen])
    print("trained-on questions", squad_scores({e.id: x for e, x in zip(seen, pr)}, {e.id: [e.answer] for e in seen}))
