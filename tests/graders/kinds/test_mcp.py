"""Kind ``mcp`` and the ``mcp-embeddings`` exercise: every variant through the real sandbox (the official
``mcp`` client over stdio and streamable HTTP), plus the client's pure helpers and the hidden pairs."""

from __future__ import annotations

import hashlib
import math
import re
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from graders.kinds import mcp_child
from graders.kinds._meta import load_meta_module
from graders.kinds.mcp import McpGrader, McpParams
from tests.helpers import LIBRARY_EXERCISES, REPO
from tracker.devcheck import check_exercise
from tracker.roadmap.models import Exercise

SLUG = "mcp-embeddings"
LIBRARY = LIBRARY_EXERCISES / SLUG


def roadmap_exercise() -> Exercise:
    raw = yaml.safe_load((REPO / "roadmap.yaml").read_text(encoding="utf-8"))
    return Exercise.model_validate(next(e for e in raw["exercises"] if e["slug"] == SLUG))


def test_roadmap_entry_is_valid_for_the_kind() -> None:
    ex = roadmap_exercise()
    assert ex.kind == McpGrader.kind
    McpParams.model_validate(ex.params)
    assert set(ex.thresholds_for("cpu")) == {"paraphrase_auc", "call_latency"}
    assert McpGrader.metric("paraphrase_auc") is not None  # the sprint's checklist points at it


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Any]:
    return {o.name: o for o in check_exercise(roadmap_exercise(), LIBRARY, seed=5)}


@pytest.mark.services
@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_dev_check_reference_passes_starter_and_cheats_fail(outcomes: dict[str, Any]) -> None:
    problems = {name: o.problems for name, o in outcomes.items() if not o.ok}
    assert not problems, problems
    assert len([n for n in outcomes if n.startswith("cheat-")]) >= 3


# Every variant's checks that do not pass (golden verdicts). The cheats are bag-of-words based, so they
# also miss the semantic threshold; each misses its own check besides.
_ALL = ("bad_input", "call_latency", "deterministic", "finite", "fixed_dimension", "http", "normalised",
        "paraphrase_auc", "schema", "stdio", "vector_count")
_NOT_PASSING = {
    "reference": {},
    "starter": dict.fromkeys(_ALL, "fail"),
    "cheat-bag-of-words": {"paraphrase_auc": "fail"},
    "cheat-accepts-anything": {"bad_input": "fail", "paraphrase_auc": "fail"},
    "cheat-crash-on-empty": {"bad_input": "fail", "paraphrase_auc": "fail"},
    "cheat-random-vectors": {"deterministic": "fail", "paraphrase_auc": "fail"},
    "cheat-stdio-only": {"http": "fail", "paraphrase_auc": "fail"},
    "cheat-unnormalised": {"normalised": "fail", "paraphrase_auc": "fail"},
    "cheat-varying-dimension": {"fixed_dimension": "fail", "paraphrase_auc": "fail"},
}


@pytest.mark.services
@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_golden_verdicts(outcomes: dict[str, Any]) -> None:
    got = {name: {c.name: c.status for c in o.result.checks if c.status != "pass"} for name, o in outcomes.items()}
    assert got == _NOT_PASSING


@pytest.mark.services
@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_reference_golden(outcomes: dict[str, Any]) -> None:
    result = outcomes["reference"].result
    assert result.status == "pass", result.message
    assert {c.name: c.status for c in result.checks} == {name: "pass" for name in (
        "stdio", "http", "schema", "vector_count", "fixed_dimension", "finite", "normalised", "deterministic",
        "bad_input", "paraphrase_auc", "call_latency")}
    assert result.metrics["dimension"] == 384
    assert result.metrics["paraphrase_auc"] >= 0.95
    assert "stdio server stderr" in result.log


@pytest.mark.services
@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_starter_fails_not_errors(outcomes: dict[str, Any]) -> None:
    result = outcomes["starter"].result
    assert result.status == "fail"
    assert result.message.startswith("not implemented yet")


@pytest.mark.services
@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_a_crash_on_empty_input_is_named(outcomes: dict[str, Any]) -> None:
    check = outcomes["cheat-crash-on-empty"].result.check("bad_input")
    assert check.status == "fail" and "did the server crash" in check.message


# --- the client's helpers -------------------------------------------------------------------------


def _result(structured: Any = None, text: str | None = None, is_error: bool = False) -> Any:
    content = [SimpleNamespace(text=text)] if text is not None else []
    return SimpleNamespace(structured_content=structured, content=content, is_error=is_error)


def test_parse_reply_reads_structured_content_then_json_text() -> None:
    reply = mcp_child.parse_reply(_result({"embeddings": [[1.0, 0.0]], "dimension": 2, "normalized": True}), 0.1)
    assert reply.vectors == [[1.0, 0.0]] and reply.declared_dimension == 2 and reply.declared_normalized is True
    assert mcp_child.parse_reply(_result(text="[[0.5, 0.5]]"), 0.1).vectors == [[0.5, 0.5]]
    wrapped = mcp_child.parse_reply(_result({"result": [[1, 2], [3, 4]]}), 0.1)
    assert wrapped.vectors == [[1, 2], [3, 4]]
    with pytest.raises(mcp_child.ToolFailed, match="isError"):
        mcp_child.parse_reply(_result(text="bad", is_error=True), 0.1)
    with pytest.raises(mcp_child.ToolFailed, match="not JSON"):
        mcp_child.parse_reply(_result(text="hello"), 0.1)
    with pytest.raises(mcp_child.ToolFailed, match="list of vectors"):
        mcp_child.parse_reply(_result({"embeddings": "nope"}), 0.1)


@pytest.mark.parametrize(("schema", "problem"), [
    ({"type": "object", "properties": {"texts": {"type": "array", "items": {"type": "string"}}},
      "required": ["texts"]}, None),
    ({"type": "object", "properties": {"texts": {"anyOf": [{"type": "array", "items": {"type": "string"}},
                                                           {"type": "null"}]}}, "required": ["texts"]}, None),
    ({"type": "object", "properties": {}}, "declares no 'texts'"),
    ({"type": "object", "properties": {"texts": {"type": "string"}}, "required": ["texts"]}, "array of strings"),
    ({"type": "object", "properties": {"texts": {"type": "array", "items": {"type": "string"}}}}, "required"),
])
def test_schema_problem(schema: dict[str, Any], problem: str | None) -> None:
    found = mcp_child.schema_problem(SimpleNamespace(name="embed", input_schema=schema), "texts")
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_auc_and_cosine() -> None:
    assert mcp_child.auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert mcp_child.auc([0.1], [0.9]) == 0.0
    assert mcp_child.auc([0.5], [0.5]) == 0.5
    assert math.isnan(mcp_child.auc([], [0.1]))
    assert mcp_child.cosine([1.0, 0.0], [0.0, 2.0]) == 0.0
    assert mcp_child.cosine([0.0, 0.0], [1.0, 0.0]) == 0.0
    assert mcp_child.max_diff([[1.0]], [[1.0, 2.0]]) == math.inf


# --- the hidden pairs ------------------------------------------------------------------------------


def _bag_of_words(text: str, dim: int = 256) -> list[float]:
    v = [0.0] * dim
    for word in re.findall(r"[a-z]+", text.lower()):
        v[int(hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1.0
    return v


def test_pairs_are_drawn_from_the_seed() -> None:
    pairs = load_meta_module(LIBRARY / ".meta" / "pairs.py")
    pos, neg = pairs.draw(1, 24, 24)
    assert (pos, neg) == pairs.draw(1, 24, 24)
    assert (pos, neg) != pairs.draw(2, 24, 24)
    assert len(pos) == 24 and len(neg) == 24
    assert all(a != b for a, b in pos + neg)


def test_lexical_overlap_does_not_pass_the_semantic_check() -> None:
    """The pairs are built against bag-of-words shortcuts: their AUC stays far below the threshold."""
    pairs = load_meta_module(LIBRARY / ".meta" / "pairs.py")
    worst = 0.0
    for seed in range(50):
        pos, neg = pairs.draw(seed, 24, 24)
        score = mcp_child.auc([mcp_child.cosine(_bag_of_words(a), _bag_of_words(b)) for a, b in pos],
                              [mcp_child.cosine(_bag_of_words(a), _bag_of_words(b)) for a, b in neg])
        worst = max(worst, score)
    assert worst < 0.8


@pytest.mark.services
def test_http_transport_works_without_a_network_namespace(tmp_path: Any) -> None:
    """Where the OS gives no namespace, the HTTP server gets a free loopback port (PORT says which)."""
    import shutil

    from graders.contract import GradeContext
    from graders.sandbox import Limits, Sandbox

    folder = tmp_path / "learner"
    shutil.copytree(LIBRARY, folder, ignore=shutil.ignore_patterns(".meta"))
    shutil.copytree(LIBRARY / ".meta" / "cheat-bag-of-words", folder, dirs_exist_ok=True)
    ex = roadmap_exercise()
    ctx = GradeContext(slug=SLUG, params=McpParams.model_validate(ex.params), thresholds={}, profile="cpu", seed=2,
                       learner_dir=folder, library_dir=LIBRARY,
                       sandbox=Sandbox(Limits(wall_s=120), network="host"))
    result = McpGrader().grade(ctx)
    assert result.check("http").status == "pass", result.check("http").message
    assert result.check("stdio").status == "pass"
    assert result.check("deterministic").status == "pass"  # the same vectors over both transports
