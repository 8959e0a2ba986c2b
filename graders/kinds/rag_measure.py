"""Measurer of kind ``rag`` — trusted; runs beside the learner worker (see graders.measurer).

It draws the run's world from the seed, writes its documents and a public development set into the
run folder (``data/documents.jsonl``, ``data/dev.jsonl`` — what the learner's CI script reads),
builds the learner's ``Pipeline`` in the worker (through graders.kinds.rag_adapter), and then:

* asks every **hidden** question (drawn from another stream of the seed; its answer and the
  documents that state it stay here) — ``Pipeline.answer`` and ``Pipeline.retrieve(question, k)``;
* runs the learner's **guardrail** on the development set four times: on the pipeline as it is and
  broken on purpose three ways (see the adapter).

Every number is computed here from what the pipeline returned: answer correctness against the
known answer, groundedness of the answer in the *grader's copy* of the passages it cites
(graders.scoring.grounding; all-MiniLM-L6-v2 for its semantic branch, loaded only if a sentence
needs it), citation precision and retrieval recall@k against the documents that state the fact.
"""

from __future__ import annotations

import json
import random
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from graders.faults import LearnerRaised
from graders.harness.channel import Channel
from graders.kinds.rag_adapter import AnswerReply, BuildReply, GuardrailReply
from graders.measurer import Worker, expect

__all__ = ["MODES", "RagJob", "RagQuestion", "RagReport", "answer_correct", "draw_questions", "measure"]

ADAPTER = "graders.kinds.rag_adapter"
MODES = ("intact", "random_retrieval", "blind_generator", "no_citations")
MAX_ANSWER_WORDS = 40


class RagJob(TypedDict):
    """What the parent (graders.kinds.rag) sends the measurer."""

    pipeline: str  # "rag:Pipeline"
    guardrail: str  # "guardrail:evaluate"
    seed: int
    questions: int
    dev_questions: int
    k: int
    embedder: str  # the sentence-embedding folder of the groundedness checker


class GuardrailVerdict(TypedDict):
    passed: bool
    broken_calls: int
    raised: str


class RagReport(TypedDict):
    answer_correctness: float
    groundedness: float
    citation_precision: float
    retrieval_recall: float
    questions: int
    documents: int
    guardrail: dict[str, GuardrailVerdict]
    examples: list[str]


@dataclass(frozen=True)
class RagQuestion:
    question: str
    answer: str
    documents: tuple[str, ...]  # ids of the documents that state the fact


def draw_questions(world: Any, count: int, rng: random.Random) -> list[RagQuestion]:
    """``count`` questions about facts the world's documents state, paraphrased as in extractive-qa."""
    from graders.world.squad import QUESTIONS, _question

    docs = world.documents()
    out: list[RagQuestion] = []
    seen: set[str] = set()
    while len(out) < count:
        doc = rng.choice(docs)
        subject = world.entities[doc.about]
        stated = [r for (k, r) in QUESTIONS if k == subject.kind and doc.states(subject.key, r)]
        if not stated:
            continue
        relation = rng.choice(stated)
        text = _question(world, subject, relation, rng)
        if text in seen:
            continue
        seen.add(text)
        value = subject.facts[relation]
        answer = world.entities[value].name if value in world.entities else value
        gold = tuple(d.id for d in docs if d.states(subject.key, relation))
        out.append(RagQuestion(text, answer, gold))
    return out


def answer_correct(answer: str, truth: str) -> bool:
    """The known answer, normalised as SQuAD does, occurs as whole words in the normalised answer,
    and the answer is at most :data:`MAX_ANSWER_WORDS` words (pasting whole passages is no answer)."""
    from graders.scoring.squad import normalize_answer

    words = normalize_answer(answer).split()
    wanted = normalize_answer(truth).split()
    if not wanted or len(answer.split()) > MAX_ANSWER_WORDS:
        return False
    return any(words[i:i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


class _Embedder:
    """all-MiniLM-L6-v2, loaded the first time a sentence needs the semantic branch."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.model: Any = None

    def __call__(self, texts: Any) -> Any:
        if self.model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(1)
            self.model = SentenceTransformer(self.folder, device="cpu", local_files_only=True)
        return self.model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True).tolist()


def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    from graders.scoring.grounding import groundedness
    from graders.world import build_world

    job = expect(args, RagJob, what="the rag kind's job")
    world = build_world(job["seed"], "rag")
    docs = [{"id": d.id, "title": d.title, "text": d.text} for d in world.documents()]
    texts = {d["id"]: (d["title"], d["text"]) for d in docs}
    hidden = draw_questions(world, job["questions"], random.Random(f"llm-sprint/rag/{job['seed']}/hidden"))
    dev = draw_questions(world, job["questions"] + job["dev_questions"],
                         random.Random(f"llm-sprint/rag/{job['seed']}/dev"))
    asked = {q.question for q in hidden}
    dev = [q for q in dev if q.question not in asked][:job["dev_questions"]]
    examples = [{"question": q.question, "answer": q.answer, "documents": list(q.documents)} for q in dev]
    data = Path.cwd() / "data"
    data.mkdir(exist_ok=True)
    (data / "documents.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    (data / "dev.jsonl").write_text("".join(json.dumps(e) + "\n" for e in examples), encoding="utf-8")

    worker.load(job["pipeline"])
    worker.adapter(f"{ADAPTER}:build", job["pipeline"], docs, returns=BuildReply)
    embed = _Embedder(job["embedder"])
    correct: list[float] = []
    grounded: list[float] = []
    precision: list[float] = []
    recall: list[float] = []
    wrong: list[str] = []
    for q in hidden:
        reply = worker.adapter(f"{ADAPTER}:answer", q.question, returns=AnswerReply)
        found = worker.adapter(f"{ADAPTER}:retrieve", q.question, job["k"], returns=list[str])
        cited = list(dict.fromkeys(reply["citations"]))
        ok = answer_correct(reply["answer"], q.answer)
        correct.append(float(ok))
        grounded.append(groundedness(reply["answer"], [texts[c] for c in cited if c in texts], embed))
        precision.append(sum(c in q.documents for c in cited) / len(cited) if cited else 0.0)
        recall.append(len(set(found[:job["k"]]) & set(q.documents)) / len(q.documents))
        if not ok and len(wrong) < 3:
            wrong.append(f"{q.question!r} → {reply['answer'][:80]!r} (answer {q.answer!r})")

    verdicts: dict[str, GuardrailVerdict] = {}
    for mode in MODES:
        try:
            # The breakage's own randomness: drawn here, so the worker never sees the run's seed.
            breakage = random.Random(f"llm-sprint/rag/{job['seed']}/guardrail/{mode}").randrange(2**31)
            got = worker.adapter(f"{ADAPTER}:guardrail", job["guardrail"], mode, examples, breakage,
                                 returns=GuardrailReply)
            verdicts[mode] = GuardrailVerdict(passed=got["passed"], broken_calls=got["broken_calls"], raised="")
        except LearnerRaised as exc:  # a guardrail that raises has failed the pipeline, as a CI step would
            if not exc.wrong_answer:
                raise
            verdicts[mode] = GuardrailVerdict(passed=False, broken_calls=-1, raised=exc.summary)
    channel.result(**RagReport(
        answer_correctness=statistics.fmean(correct), groundedness=statistics.fmean(grounded),
        citation_precision=statistics.fmean(precision), retrieval_recall=statistics.fmean(recall),
        questions=len(hidden), documents=len(docs), guardrail=verdicts, examples=wrong))
