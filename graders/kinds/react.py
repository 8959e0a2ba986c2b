"""Kind ``react``: a learner's ReAct agent answers questions over a knowledge base; the grader counts
its hallucinations.

The learner writes ``answer(question, model, tools) -> str | None``: a loop that prompts ``model``
with tool descriptions, parses its ``Action:`` lines, calls ``tools["search"]`` /
``tools["calculator"]``, feeds the ``Observation:`` back, and returns the model's final answer — or
None to abstain — after a grounding guard. A trusted measurer (``graders.kinds.react_measure``)
draws the run's world from the seed (the exercise's ``.meta/kb.py``: invented towns, and 60
questions — 40 answerable, 20 not), runs the agent on each question in a separate learner worker,
and serves the model and the tools from its own process: under the cpu profile the model is a
*scripted* one (graders.kinds.react_model) that makes a small model's mistakes at rates drawn from
the seed; under the gpu profile it is the learner's own model folder, loaded by the measurer on
CUDA (``pending`` without CUDA or without a folder).

Metrics: ``hallucination_rate`` (final answers the knowledge base does not support / final answers
given; abstentions excluded), ``accuracy`` (answerable questions answered correctly),
``abstention_rate`` (unanswerable questions abstained on), ``steps_per_question`` (model calls per
question) and ``answers_from_model`` (every answer is one the model wrote).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders import gpu as _gpu
from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault

__all__ = ["ReactGrader", "ReactParams"]

_CHECKS = ("hallucination_rate", "accuracy", "abstention_rate", "steps_per_question", "answers_from_model")


class ReactParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="agent", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="answer", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    knowledge: str = Field(default="kb", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                           description="the .meta/ module that generates the world and its questions")
    model_calls: int = Field(default=30, ge=1, le=200, description="model calls allowed per question")
    tool_calls: int = Field(default=20, ge=1, le=200, description="tool calls allowed per question")
    question_timeout_s: float = Field(default=20.0, gt=0.0, description="wall clock of one question (s)")
    gpu_max_new_tokens: int = Field(default=160, ge=16, le=2048, description="tokens per real-model step")
    gpu_time_budget: float = Field(default=3600.0, gt=0.0, description="wall clock of the gpu-profile run (s)")


class ReactGrader(Grader):
    kind: ClassVar[str] = "react"
    Params: ClassVar[type[BaseModel]] = ReactParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("hallucination_rate", "ratio", "final answers the knowledge base does not support / final answers "
               "given (abstentions excluded)", higher_is_better=False),
        Metric("accuracy", "ratio", "answerable questions answered correctly", higher_is_better=True),
        Metric("abstention_rate", "ratio", "unanswerable questions abstained on", higher_is_better=True),
        Metric("steps_per_question", "number", "model calls per question", higher_is_better=False),
        Metric("answers_from_model", "bool", "every final answer is one the model wrote"),
        Metric("questions", "number", "hidden questions asked"),
    )

    @classmethod
    def meta_files(cls, params: BaseModel) -> tuple[str, ...]:
        assert isinstance(params, ReactParams)
        return (f"{params.knowledge}.py",)

    def measure(self, ctx: GradeContext) -> Measurements:
        from graders.kinds.react_measure import ReactJob, ReactReport
        from graders.measurer import expect

        params = ctx.params
        assert isinstance(params, ReactParams)
        m = Measurements()
        backend, model_path, device, limits = "scripted", "", "cpu", None
        if ctx.profile == "gpu":
            if not ctx.cuda_available:
                for name in _CHECKS:
                    m.skip(name, "needs a CUDA GPU and a model folder; this machine has no CUDA")
                return m
            folder = _gpu.model_folder(ctx, m, _CHECKS, example="Qwen2.5-7B-Instruct")
            if folder is None:
                return m
            backend, model_path, device = "folder", str(folder), _gpu.DEVICE
            limits = _gpu.gpu_limits(ctx, params.gpu_time_budget, None)
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        (kb_file,) = self.meta_files(params)
        job = ReactJob(module=params.module, function=params.function, seed=ctx.seed,
                       kb_path=str(ctx.meta_dir / kb_file), model_calls=params.model_calls,
                       tool_calls=params.tool_calls, question_timeout_s=params.question_timeout_s,
                       backend="folder" if backend == "folder" else "scripted", model_path=model_path, device=device,
                       max_new_tokens=params.gpu_max_new_tokens)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure("graders.kinds.react_measure:measure", job, workdir=work, limits=limits)
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        r = expect(run.result, ReactReport, what="the react measurer's report")
        m.set("questions", float(r["questions"]))
        errors = f"; your agent raised on {r['errored']} question(s), first {r['error_note']}" if r["errored"] else ""
        if r["answered"]:
            wrong = r["answered"] - r["supported"]
            m.set("hallucination_rate", wrong / r["answered"],
                  f"{wrong} of {r['answered']} final answers unsupported"
                  + (f", e.g. {'; '.join(r['examples'][:2])}" if r["examples"] else "") + errors)
        else:
            m.fault("no final answer was given (every question abstained on or failed): nothing shows the agent "
                    "answers without hallucinating" + errors, checks=("hallucination_rate",), status="fail")
        m.set("accuracy", r["correct_answerable"] / r["answerable"],
              f"{r['correct_answerable']} of {r['answerable']} answerable questions answered correctly" + errors)
        m.set("abstention_rate", r["abstained_unanswerable"] / r["unanswerable"],
              f"abstained on {r['abstained_unanswerable']} of {r['unanswerable']} questions the knowledge base "
              "cannot answer")
        m.set("steps_per_question", r["model_calls"] / r["questions"],
              f"{r['model_calls']} model calls and {r['tool_calls']} tool calls for {r['questions']} questions")
        m.set("answers_from_model", r["foreign"] == 0,
              "" if r["foreign"] == 0 else f"{r['foreign']} answer(s) the model never wrote: {r['foreign_note']}; "
              "return the model's own Final Answer (or None)")
        return m
