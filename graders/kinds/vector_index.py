"""Kind ``vector-index``: PDFs → chunks → MiniLM embeddings → a FAISS index; and a compressed index of
synthetic vectors. The grader asks from a fresh process that has only what was saved.

The learner writes, in one module (``vector_store.py``)::

    build(pdf_dir, index_dir)                 # read the PDFs, chunk, embed, index, save in index_dir
    search(index_dir, question, k)            # → [{"text", "source", "page"}, …] best first
    build_vectors(vectors_path, index_dir)    # a compressed FAISS index of float32 [n, 384] unit vectors
    search_vectors(index_dir, queries, k)     # queries [m, 384] → int row ids [m, k]

Two sandboxed runs (graders.kinds.vector_index_measure): **build** writes the run's 100 guides as
PDFs (graders.kinds.vector_index_world: an invented world; tables and two-column pages) and the
synthetic vectors, and calls both builders; then this process copies the two index folders alone
(links followed) into a fresh run that calls both searchers — no PDF, no vectors, no memory of the
first process. Measured:

* ``recall_at_5`` — hidden questions with a passage holding the answer (a key only that passage of
  the corpus holds) among the first 5, each passage cut at ``max_passage_chars``;
* ``source_page`` — of those, the share whose passage names the right file and (1-based) page;
* ``recall_at_10`` — mean overlap of ``search_vectors``' 10 ids with the exact 10 nearest (cosine);
* ``index_bytes_ratio`` — the bytes of the saved vector index folder / the vectors as float32;
* ``latency_p50`` — median time of a one-query ``search_vectors`` call as the measurer sees it;
* ``build_seconds`` — ``build`` on the PDFs. Both timings are reported, not held to a threshold.

The cpu profile writes ``pdfs`` guides (24) and indexes ``vectors`` synthetic vectors (10k), so that a
check of every variant stays within a minute; the gpu profile is the seed's scale — ``gpu_pdfs`` (100)
guides and ``gpu_vectors`` (200k) vectors, under ``gpu_time_budget`` — and needs no GPU.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.sandbox import Limits

__all__ = ["VectorIndexGrader", "VectorIndexParams"]

_MEASURE = "graders.kinds.vector_index_measure"
DIM = 384
_SEARCHED = ("recall_at_5", "source_page", "recall_at_10")


class VectorIndexParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="vector_store", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    pdfs: int = Field(default=24, ge=5, le=10_000, description="guides written as PDFs (cpu profile)")
    gpu_pdfs: int = Field(default=100, ge=5, le=10_000, description="guides under the gpu profile: the seed's 100")
    questions: int = Field(default=48, ge=5, le=2000)
    k: int = Field(default=5, ge=1, le=50)
    max_passage_chars: int = Field(default=1000, ge=100, description="a longer passage is cut here before checking")
    vectors: int = Field(default=10_000, ge=1000, le=10_000_000)
    gpu_vectors: int = Field(default=200_000, ge=1000, le=10_000_000)
    queries: int = Field(default=100, ge=10, le=10_000)
    k_vectors: int = Field(default=10, ge=1, le=100)
    gpu_time_budget: float = Field(default=900.0, gt=0.0, description="wall clock of each gpu-profile run (s)")


class VectorIndexGrader(Grader):
    kind: ClassVar[str] = "vector-index"
    Params: ClassVar[type[BaseModel]] = VectorIndexParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("recall_at_5", "ratio", "hidden questions whose answer passage is among the first k",
               higher_is_better=True),
        Metric("source_page", "ratio", "answers found that name the right file and page", higher_is_better=True),
        Metric("recall_at_10", "ratio", "overlap with the exact 10 nearest vectors", higher_is_better=True),
        Metric("index_bytes_ratio", "ratio", "bytes of the saved vector index / the vectors as float32",
               higher_is_better=False),
        Metric("latency_p50", "seconds", "median one-query search_vectors call", higher_is_better=False),
        Metric("build_seconds", "seconds", "wall time of build() on the PDFs"),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        from graders.kinds.vector_index_measure import (
            INDEX_DIR,
            VECTOR_INDEX_DIR,
            BuildJob,
            BuildReport,
            SearchJob,
            SearchReport,
        )
        from graders.measurer import expect

        params = ctx.params
        assert isinstance(params, VectorIndexParams)
        m = Measurements()
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        n_pdfs, n_vectors = params.pdfs, params.vectors
        limits: Limits | None = None
        if ctx.profile == "gpu":
            n_pdfs, n_vectors = params.gpu_pdfs, params.gpu_vectors
            base = ctx.sandbox.limits
            limits = Limits(wall_s=params.gpu_time_budget, memory_bytes=base.memory_bytes,
                            output_bytes=base.output_bytes)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure(f"{_MEASURE}:build", BuildJob(
                module=params.module, seed=ctx.seed, pdfs=n_pdfs, vectors=n_vectors, queries=params.queries),
                workdir=work, limits=limits)
            m.log = run.log()
            if record_run_fault(m, run, prefix="building: "):
                return m
            built = expect(run.result, BuildReport, what="the vector-index build report")
            m.set("build_seconds", built["build_seconds"],
                  f"{n_pdfs} PDFs ({built['pdf_bytes'] / 1e6:.1f} MB); build_vectors() took "
                  f"{built['build_vectors_seconds']:.1f} s for {n_vectors:,} vectors")
            with ctx.sandbox.workdir(ctx.learner_dir) as fresh:
                for name in (INDEX_DIR, VECTOR_INDEX_DIR):
                    problem = _copy_index(work / name, fresh / name)
                    if problem:
                        m.fault(problem, status="fail")
                        return m
                saved = _size(fresh / VECTOR_INDEX_DIR)
                m.set("index_bytes_ratio", saved / (n_vectors * DIM * 4),
                      f"{saved / n_vectors:.0f} bytes per vector saved; float32 takes {DIM * 4}")
                searched = ctx.sandbox.measure(f"{_MEASURE}:search", SearchJob(
                    module=params.module, seed=ctx.seed, pdfs=n_pdfs, vectors=n_vectors, queries=params.queries,
                    questions=params.questions, k=params.k, k_vectors=params.k_vectors,
                    max_passage_chars=params.max_passage_chars), workdir=fresh, limits=limits)
        m.log += "\n--- searching ---\n" + searched.log()
        if record_run_fault(m, searched, checks=(*_SEARCHED, "latency_p50"), prefix="searching: "):
            return m
        r = expect(searched.result, SearchReport, what="the vector-index search report")
        missed = f"; missed e.g. {'; '.join(r['misses'])}" if r["misses"] else ""
        m.set("recall_at_5", r["found"] / r["questions"],
              f"{r['found']} of {r['questions']} hidden questions{missed} (one search() call: "
              f"{r['search_p50'] * 1e3:.0f} ms median)")
        if r["found"]:
            wrong = f"; e.g. {'; '.join(r['misattributed'])}" if r["misattributed"] else ""
            m.set("source_page", r["attributed"] / r["found"], f"{r['attributed']} of {r['found']}{wrong}")
        else:
            m.fault("not measured: no answer was found to check its file and page (see recall_at_5)",
                    checks=("source_page",), status="fail")
        m.set("recall_at_10", r["recall_at_k"], f"{r['queries']} hidden queries against the exact search")
        m.set("latency_p50", r["latency_p50"], "one query per call, measured from outside your process")
        return m


def _copy_index(src: Path, dst: Path) -> str | None:
    """Copy a saved index folder with links followed (their targets are what gets read); a problem in
    words a learner can act on, or None."""
    if not src.is_dir():
        return f"the index folder {src.name}/ is gone after building: save into the folder you are given"
    try:
        shutil.copytree(src, dst, symlinks=False)
    except (OSError, shutil.Error) as exc:
        return f"the saved {src.name}/ cannot be copied for searching (a link to nothing?): {str(exc)[:200]}"
    return None


def _size(folder: Path) -> int:
    return sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(folder) for f in files)
