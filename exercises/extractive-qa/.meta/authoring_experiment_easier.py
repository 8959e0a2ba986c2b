"""Easier contexts: distractors (1, 2); reference at STEPS/BATCH/LR; hidden F1 and baselines."""
import importlib.util, json, os, random, sys, tempfile, time
import torch
from pathlib import Path
sys.path.insert(0, "/tmp/i17qa-mods")
steps, batch, lr, seed = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
lo, hi = int(os.environ.get("DLO", "1")), int(os.environ.get("DHI", "2"))
torch.set_num_threads(1)
from qa_measure_copy import predict
from graders.world import build_world
from graders.world.squad import draw_examples, to_squad, first_of_type, best_sentence
from graders.scoring.squad import squad_scores
base = "/root/.cache/llm-sprint/tinymodels/fc10bc5013f6ee0a"
spec = importlib.util.spec_from_file_location("ref", "/tmp/i17qa-ref.py"); ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
ref.STEPS, ref.BATCH, ref.LR = steps, batch, lr
train = draw_examples(build_world(seed, "train"), 3000, rng=random.Random(f"t{seed}"), distractors=(lo, hi))
hidden = draw_examples(build_world(seed, "hidden"), 300, rng=random.Random(f"h{seed}"), distractors=(lo, hi), id_prefix="h")
with tempfile.TemporaryDirectory() as d:
    (Path(d) / "train.json").write_text(json.dumps(to_squad(train)))
    c = time.process_time(); ref.train(base, d + "/train.json", d + "/train.json", d + "/out"); print(f"train cpu {time.process_time()-c:.1f}", flush=True)
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer
    m = AutoModelForQuestionAnswering.from_pretrained(d + "/out"); tok = AutoTokenizer.from_pretrained(d + "/out")
    p = predict(m, tok, [e.question for e in hidden], [e.context for e in hidden])
    a = {e.id: [e.answer] for e in hidden}
    print("ref EM/F1", squad_scores({e.id: x for e, x in zip(hidden, p)}, a))
    print("first", squad_scores({e.id: first_of_type(e) for e in hidden}, a)[1], "sent", squad_scores({e.id: best_sentence(e) for e in hidden}, a)[1])
