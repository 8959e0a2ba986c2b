"""Authoring experiment: train the reference at STEPS/BATCH/LR and score on hidden examples."""
import importlib.util, json, os, random, sys, tempfile, time
import torch
from pathlib import Path
steps, batch, lr, seed = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
threads = int(os.environ.get("THREADS", "2")); torch.set_num_threads(threads)
from graders.tinymodels.encoder import build_encoder
from graders.kinds.qa_train_measure import write_training_data
from graders.kinds.qa_measure import hidden_examples, predict
from graders.scoring.squad import squad_scores
from graders.world.squad import first_of_type, best_sentence
base = os.environ.get("BASE") or str(build_encoder().path)
spec = importlib.util.spec_from_file_location("ref", "/work/wt/i17-qa/exercises/extractive-qa/.meta/reference/qa.py")
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
ref.STEPS, ref.BATCH, ref.LR = steps, batch, lr
with tempfile.TemporaryDirectory() as d:
    tr, dv = write_training_data(seed, Path(d) / "data", int(os.environ.get("NTRAIN", "3000")), 50)
    t, c = time.time(), time.process_time()
    ref.train(base, str(tr), str(dv), d + "/out")
    print(f"train wall {time.time()-t:.1f} cpu {time.process_time()-c:.1f}")
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer
    m = AutoModelForQuestionAnswering.from_pretrained(d + "/out"); tok = AutoTokenizer.from_pretrained(d + "/out")
    ex = hidden_examples(seed, 300)
    t = time.time()
    p = predict(m, tok, [e.question for e in ex], [e.context for e in ex])
    print(f"predict {time.time()-t:.1f}s")
    a = {e.id: [e.answer] for e in ex}
    print("ref EM/F1", squad_scores({e.id: x for e, x in zip(ex, p)}, a))
    print("first", squad_scores({e.id: first_of_type(e) for e in ex}, a)[1], "sent", squad_scores({e.id: best_sentence(e) for e in ex}, a)[1])
