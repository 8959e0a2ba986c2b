"""Kind ``function``: call the learner's function on hidden cases and compare with a reference.

The exercise's ``.meta/<cases>.py`` (trusted library code) provides::

    generate(seed: int) -> list[Case]        # Case: name, files to create, args, expected, outputs
    compare(case, returned, outputs) -> str | None   # None when correct, else what differs

Cases are drawn from the run's seed, so they differ on every attempt. The learner's function runs
in the sandbox (``graders.kinds.function_child``); outputs are read and compared here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric, Status
from graders.kinds._meta import load_meta_module

__all__ = ["Case", "FunctionGrader"]


@dataclass
class Case:
    """One hidden case. ``files`` are written into the run folder before the call; ``args`` may
    name them by relative path; ``outputs`` are files the call must produce, read back after."""

    name: str
    args: list[Any]
    expected: Any = None
    files: dict[str, str | bytes] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    timed: bool = False  # counts toward the ``runtime`` metric


class FunctionParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="the learner's module, e.g. data_loader")
    function: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="the function to call")
    cases: str = Field(default="cases", description="the .meta/ module that generates hidden cases")


class FunctionGrader(Grader):
    kind: ClassVar[str] = "function"
    Params: ClassVar[type[BaseModel]] = FunctionParams
    timed: ClassVar[bool] = True  # thresholds on wall-clock speed
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("accuracy", "ratio", "fraction of hidden cases answered exactly like the reference",
               higher_is_better=True),
        Metric("runtime", "seconds", "wall time of the largest (timed) case", higher_is_better=False),
        Metric("cases", "number", "hidden cases drawn for this run"),
    )

    @classmethod
    def meta_files(cls, params: BaseModel) -> tuple[str, ...]:
        assert isinstance(params, FunctionParams)
        return (f"{params.cases}.py",)

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, FunctionParams)
        m = Measurements()
        (cases_module,) = self.meta_files(params)  # what it declares is what it reads
        meta = load_meta_module(ctx.meta_dir / cases_module)
        cases: list[Case] = meta.generate(ctx.seed)
        m.set("cases", float(len(cases)))
        if not (ctx.learner_dir / f"{params.module}.py").is_file():
            m.fault(f"{params.module}.py is missing from exercises/{ctx.slug}/", status="fail")
            return m
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            hidden = work / ".cases"
            for case in cases:
                for rel, content in case.files.items():
                    path = hidden / case.name / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    if isinstance(content, bytes):
                        path.write_bytes(content)
                    else:
                        path.write_text(content, encoding="utf-8", newline="")
            calls = [{"name": c.name, "args": [_resolve(a, hidden / c.name) for a in c.args]} for c in cases]
            run = ctx.sandbox.call("graders.kinds.function_child:run",
                                   {"module": params.module, "function": params.function, "cases": calls},
                                   workdir=work)
            m.log = run.log()
            if run.fault:
                fault = run.learner_fault
                status: Status = "fail" if fault and fault.get("status") == "fail" else "error"
                detail = str(fault.get("detail", "")) if fault else ""
                m.fault(run.fault + (f"\n{detail}" if detail and detail not in run.fault else ""), status=status)
                return m
            answers = {a["name"]: a for a in (run.result or {}).get("cases", [])}
            correct, problems, runtime = 0, [], 0.0
            for case in cases:
                answer = answers.get(case.name)
                if answer is None:
                    problems.append(f"{case.name}: no answer")
                    continue
                if "error" in answer:
                    problems.append(f"{case.name}: {answer['error']}")
                    continue
                outputs = {rel: _read(hidden / case.name / rel) for rel in case.outputs}
                diff = meta.compare(case, answer.get("return"), outputs)
                if diff is None:
                    correct += 1
                else:
                    problems.append(f"{case.name}: {diff}")
                if case.timed:
                    runtime = max(runtime, float(answer.get("seconds", 0.0)))
        note = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        m.set("accuracy", correct / len(cases) if cases else 0.0, note)
        if any(c.timed for c in cases):
            m.set("runtime", runtime)
        return m


def _resolve(arg: Any, folder: Path) -> Any:
    """``{"path": "x.csv"}`` in a case's args becomes the absolute path of that file in the run."""
    if isinstance(arg, dict) and set(arg) == {"path"}:
        return str(folder / arg["path"])
    return arg


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
