"""Training run of kind ``qa`` — the trusted measurer beside the learner worker (see graders.measurer).

It draws the run's *training* worlds from the seed, writes its questions in SQuAD v1.1 format into
the run folder (``data/train.json``, ``data/dev.json`` — the learner's to read), then calls the
learner's ``train(base_model, train_file, dev_file, output_dir)`` in the worker and times it from
here. The hidden questions are not drawn here at all: a separate process that imports none of the
learner's code measures the saved model (graders.kinds.qa_measure) on a world of its own.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, TypedDict

from graders.faults import LearnerFault
from graders.harness.channel import Channel
from graders.measurer import Worker, expect

__all__ = ["QaTrainJob", "QaTrainReport", "measure", "write_training_data"]


class QaTrainJob(TypedDict):
    """What the parent (graders.kinds.qa) sends the measurer."""

    module: str
    function: str
    seed: int
    base_model: str
    output_dir: str
    train_examples: int
    dev_examples: int
    squad_dir: str | None  # gpu profile: the learner's SQuAD v1.1 copy instead of a generated world


class QaTrainReport(TypedDict):
    train_seconds: float
    files: list[str]


#: Sentences about other entities spliced into each context (cpu profile): one or two, one of them
#: stating the asked relation about someone else. (3, 5) made contexts of ~230 tokens that a tiny
#: encoder did not learn to read in any affordable number of steps.
DISTRACTORS = (1, 2)
#: Questions drawn from each training world. Many small worlds, not one large one: over one world
#: a model learns its facts by heart (train loss 0.01, hidden F1 0.14 — measured) instead of reading.
PER_WORLD = 40


def write_training_data(seed: int, folder: Path, train_examples: int, dev_examples: int) -> tuple[Path, Path]:
    """``train.json`` and ``dev.json`` (SQuAD v1.1 layout) in ``folder``: questions about the run's
    training worlds (streams ``train-<i>`` of the seed, :data:`PER_WORLD` questions each)."""
    from graders.world import build_world
    from graders.world.squad import draw_examples, to_squad

    examples: list[Any] = []
    total = train_examples + dev_examples
    for i in range((total + PER_WORLD - 1) // PER_WORLD):
        world = build_world(seed, f"train-{i}")
        rng = random.Random(f"llm-sprint/qa/{seed}/train/{i}")
        examples += draw_examples(world, min(PER_WORLD, total - len(examples)), rng=rng, distractors=DISTRACTORS,
                                  id_prefix=f"t{i:04d}-")
    folder.mkdir(parents=True, exist_ok=True)
    train, dev = folder / "train.json", folder / "dev.json"
    train.write_text(json.dumps(to_squad(examples[:train_examples])), encoding="utf-8")
    dev.write_text(json.dumps(to_squad(examples[train_examples:])), encoding="utf-8")
    return train, dev


def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    job = expect(args, QaTrainJob, what="the qa kind's training job")
    if job["squad_dir"]:
        squad = Path(job["squad_dir"])
        train, dev = squad / "train-v1.1.json", squad / "dev-v1.1.json"
    else:
        train, dev = write_training_data(job["seed"], Path.cwd() / "data", job["train_examples"], job["dev_examples"])
    fn = f"{job['module']}:{job['function']}"
    worker.load(fn)
    worker.call(fn, job["base_model"], str(train), str(dev), job["output_dir"])
    seconds = worker.last_seconds
    out = Path(job["output_dir"])
    if not (out / "config.json").is_file():
        raise LearnerFault(f"{job['function']}() returned but {out.name}/config.json does not exist: save the model "
                           "with model.save_pretrained(output_dir) and tokenizer.save_pretrained(output_dir)",
                           status="fail")
    channel.result(**QaTrainReport(train_seconds=seconds, files=sorted(p.name for p in out.iterdir())))
