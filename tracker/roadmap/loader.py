"""roadmap.yaml → :class:`Roadmap`, or a :class:`RoadmapError` listing *every* problem found.

Three passes, each adding problems located as ``file:line:column`` with a field path:

1. YAML syntax and duplicate keys;
2. shape and types (pydantic; unknown keys rejected, thresholds and sizes parsed);
3. meaning, on the raw data so that it runs even when pass 2 found problems: unique ids and slugs,
   references between sprints, exercises, checklist items and targets, acyclic prerequisites,
   grader kinds known, each exercise's ``params`` validated by its kind's ``Params`` and its
   thresholds named after metrics the kind measures, in units of the right dimension.

Loading never writes anything. Graders' errors met on the way (a kind that will not load, a
threshold that will not parse: ``graders.errors``) become located Problems here, nowhere else.
An unchanged roadmap is answered from ``tracker.roadmap.cache`` without coming here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from graders.errors import KindLoadError, ThresholdSyntaxError
from graders.paths import exercise_dir
from graders.thresholds import parse_threshold
from tracker.errors import Problem, RoadmapError
from tracker.roadmap.models import Roadmap

if TYPE_CHECKING:
    from tracker.roadmap.yamlpos import Located

__all__ = ["load_roadmap", "parse_roadmap", "read_roadmap"]

YPath = tuple[str | int, ...]

_PATTERN_HINTS = {
    "id": "sprint ids look like P0 or 2.1 (quote them: id: \"2.1\"); quarters Q1–Q9; targets W1-2; tracks A–Z",
    "slug": "slugs are lowercase words joined by dashes, e.g. lora-finetune",
    "url": "a resource url starts with http:// or https://",
    "release": "a release tag looks like v0.1",
    "kind": "a grader kind is a lowercase name, e.g. function or attention",
}


def load_roadmap(path: Path | str) -> Roadmap:
    """Read and validate ``path``. Raises RoadmapError (exit code 2) listing every problem."""
    return parse_roadmap(read_roadmap(path), str(path))


def read_roadmap(path: Path | str) -> str:
    """The text of ``path``; a RoadmapError (exit code 2) when it is missing or unreadable."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = "run `sprint init DIR` to create a workspace, or pass the roadmap's path"
        raise RoadmapError([Problem(str(path), 0, 0, "", "file not found", hint)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RoadmapError([Problem(str(path), 0, 0, "", f"cannot read the file: {exc}")]) from None


def parse_roadmap(text: str, filename: str = "roadmap.yaml") -> Roadmap:
    """Validate the roadmap ``text`` (``filename`` names it in problems). Raises RoadmapError."""
    import yaml  # here, not at the top: a start answered by the cache reads no YAML

    from tracker.roadmap.yamlpos import load_located

    try:
        located = load_located(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = f"YAML syntax error: {exc.problem or exc}"
        raise RoadmapError([Problem(filename, line, col, "", message,
                                    "check indentation, colons and quoting around this spot")]) from None
    except yaml.YAMLError as exc:
        raise RoadmapError([Problem(filename, 0, 0, "", f"YAML error: {exc}")]) from None

    problems: list[Problem] = []

    def report(path: YPath, message: str, hint: str = "", *, key: bool = False) -> None:
        pos = located.position(path, key=key)
        problems.append(Problem(filename, pos.line, pos.column, _dotted(path), message, hint))

    for path, pos in located.duplicates:
        problems.append(Problem(filename, pos.line, pos.column, _dotted(path), f"duplicate key {path[-1]!r}",
                                "each key may appear once in a mapping; merge or rename one of them"))
    if not isinstance(located.data, dict):
        report((), "the roadmap must be a mapping with title, start_date, quarters, …",
               "start from the default: `sprint init DIR` writes one")
        raise RoadmapError(problems)

    roadmap: Roadmap | None = None
    try:
        roadmap = Roadmap.model_validate(located.data)
    except ValidationError as exc:
        for err in exc.errors():
            _report_pydantic(err, report)

    _check_meaning(located, report)
    if problems:
        raise RoadmapError(problems)
    assert roadmap is not None
    return roadmap


# ---------------------------------------------------------------------------------------------
# pass 2: pydantic errors → problems


def _report_pydantic(err: Any, report: Any) -> None:
    loc: YPath = tuple(err["loc"])
    kind = err["type"]
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    field = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = f"allowed here: {', '.join(allowed)}" if allowed else "remove it"
        report(loc, f"unknown key {field!r}", hint, key=True)
    elif kind == "missing":
        report(loc, f"missing required key {field!r}", "add it (see the default roadmap for an example)")
    elif kind == "string_pattern_mismatch":
        name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        hint = _PATTERN_HINTS.get("slug" if "exercises" in loc or "prerequisites" in loc else name, "")
        report(loc, f"{err.get('input')!r} is not a valid {name or 'value'}", hint)
    elif kind == "literal_error" and is_key:
        report(loc, f"unknown profile {field!r}", "profiles are cpu and gpu", key=True)
    elif kind in ("value_error", "assertion_error"):
        message = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        report(loc, message)
    elif kind == "too_short":
        report(loc, f"{field!r} must not be empty", "add at least one entry")
    else:
        report(loc, f"{field or 'value'}: {err['msg']}" + (f" (got {err.get('input')!r})" if "input" in err else ""))


def _allowed_keys(loc: YPath) -> list[str]:
    """Field names allowed at ``loc``, found by walking the model annotations."""
    tp: Any = Roadmap
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(part, int) or get_origin(tp) in (list, dict):
            args = get_args(tp)
            tp = args[-1] if args else Any
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                field = next((f for f in tp.model_fields.values() if f.alias == part), None)
            if field is None:
                return []
            tp = field.annotation
        else:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or name for name, f in tp.model_fields.items()]
    return []


def _unwrap(tp: Any) -> Any:
    """Strip Optional/Annotated wrappers."""
    while True:
        origin = get_origin(tp)
        args = get_args(tp)
        if origin is None or origin in (list, dict):
            return tp
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) >= 1 and origin is not list:
            tp = non_none[0]
        else:
            return tp


# ---------------------------------------------------------------------------------------------
# pass 3: meaning


def _items(data: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    seq = data.get(key) if isinstance(data, dict) else None
    if isinstance(seq, list):
        for i, item in enumerate(seq):
            if isinstance(item, dict):
                yield i, item


def _strs(value: Any) -> Iterator[tuple[int, str]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield i, item


def _check_meaning(located: Located, report: Any) -> None:
    data: dict[str, Any] = located.data
    seen: dict[str, YPath] = {}

    def unique(kind: str, value: Any, path: YPath) -> None:
        if not isinstance(value, str):
            return
        key = f"{kind}:{value}"
        if key in seen:
            first = located.position(seen[key])
            report(path, f"duplicate {kind} {value!r} (first defined on line {first.line})",
                   f"every {kind} must be unique; rename one of them")
        else:
            seen[key] = path

    # --- exercises
    exercises: dict[str, tuple[YPath, dict[str, Any]]] = {}
    for i, ex in _items(data, "exercises"):
        path: YPath = ("exercises", i)
        unique("exercise slug", ex.get("slug"), (*path, "slug"))
        if isinstance(ex.get("slug"), str) and ex["slug"] not in exercises:
            exercises[ex["slug"]] = (path, ex)
    kinds = {slug: _check_exercise(path, ex, report) for slug, (path, ex) in exercises.items()}

    # --- quarters and sprints
    sprint_paths: list[tuple[YPath, dict[str, Any]]] = []
    for qi, quarter in _items(data, "quarters"):
        unique("quarter id", quarter.get("id"), ("quarters", qi, "id"))
        unique("release tag", quarter.get("release"), ("quarters", qi, "release"))
        for si, sprint in _items(quarter, "sprints"):
            sprint_paths.append((("quarters", qi, "sprints", si), sprint))
    for ti, track in _items(data, "tracks"):
        unique("track id", track.get("id"), ("tracks", ti, "id"))
        for si, sprint in _items(track, "sprints"):
            sprint_paths.append((("tracks", ti, "sprints", si), sprint))
    used_by: dict[str, str] = {}
    for path, sprint in sprint_paths:
        unique("sprint id", sprint.get("id"), (*path, "id"))
        slugs = {s for _, s in _strs(sprint.get("exercises"))}
        for ei, slug in _strs(sprint.get("exercises")):
            if slug not in exercises:
                report((*path, "exercises", ei), f"exercise {slug!r} is not defined",
                       "add it under the top-level `exercises:` list, or fix the slug")
            elif slug in used_by and used_by[slug] != sprint.get("id"):
                report((*path, "exercises", ei), f"exercise {slug!r} already belongs to sprint {used_by[slug]}",
                       "an exercise belongs to one sprint")
            else:
                used_by[slug] = str(sprint.get("id"))
        for ci, item in _items(sprint, "checklist"):
            check = item.get("check")
            if isinstance(check, str):
                _check_reference(check, (*path, "checklist", ci, "check"), exercises, kinds, report,
                                 allowed=slugs, where="this sprint's exercises")

    # --- targets
    for ti, target in _items(data, "targets"):
        path = ("targets", ti)
        unique("target id", target.get("id"), (*path, "id"))
        for ei, slug in _strs(target.get("exercises")):
            if slug not in exercises:
                report((*path, "exercises", ei), f"target links exercise {slug!r}, which is not defined",
                       "add the exercise under `exercises:` or remove the link")
        check = target.get("check")
        if isinstance(check, str):
            linked = {s for _, s in _strs(target.get("exercises"))}
            _check_reference(check, (*path, "check"), exercises, kinds, report, allowed=linked,
                             where="the target's exercises")

    # --- prerequisites: defined, and no cycle
    graph: dict[str, list[str]] = {}
    for slug, (path, ex) in exercises.items():
        graph[slug] = []
        for pi, pre in _strs(ex.get("prerequisites")):
            if pre == slug:
                report((*path, "prerequisites", pi), f"exercise {slug!r} lists itself as a prerequisite")
            elif pre not in exercises:
                report((*path, "prerequisites", pi), f"prerequisite {pre!r} is not a defined exercise")
            else:
                graph[slug].append(pre)
    for cycle in _cycles(graph):
        path = exercises[cycle[0]][0]
        report((*path, "prerequisites"), "prerequisites form a cycle: " + " → ".join([*cycle, cycle[0]]),
               "remove one of these prerequisites")


def _check_exercise(path: YPath, ex: dict[str, Any], report: Any) -> Any:
    """Validate params and thresholds with the exercise's kind. Returns the kind class, or None."""
    from graders.registry import available_kinds, get_kind

    kind_name = ex.get("kind")
    slug = ex.get("slug")
    if not isinstance(kind_name, str):
        return None
    try:
        kind = get_kind(kind_name)
    except KindLoadError as exc:
        report((*path, "kind"), str(exc), "reinstall the package that provides it")
        return None
    if kind is None:
        if isinstance(slug, str) and exercise_dir(slug).is_dir():
            report((*path, "kind"), f"unknown grader kind {kind_name!r}",
                   f"installed kinds: {', '.join(available_kinds()) or 'none'}; a plugin adds kinds "
                   "through the llm_sprint.graders entry-point group")
        # No folder and no kind yet: the exercise is listed as "not yet available".
        return None
    params = ex.get("params", {})
    if isinstance(params, dict):
        try:
            kind.Params.model_validate(params)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (*path, "params", *err["loc"])
                if err["type"] == "extra_forbidden":
                    allowed = ", ".join(kind.Params.model_fields) or "none"
                    report(loc, f"unknown parameter {err['loc'][-1]!r} for kind {kind_name!r}",
                           f"parameters of {kind_name}: {allowed}", key=True)
                else:
                    report(loc, f"{'.'.join(map(str, err['loc'])) or 'params'}: {err['msg']}")
    thresholds = ex.get("thresholds", {})
    if isinstance(thresholds, dict):
        for profile, table in thresholds.items():
            if not isinstance(table, dict):
                continue
            for metric_name, text in table.items():
                loc = (*path, "thresholds", profile, metric_name)
                metric = kind.metric(str(metric_name))
                if metric is None:
                    names = ", ".join(m.name for m in kind.metrics if m.dimension != "bool")
                    report(loc, f"kind {kind_name!r} measures no metric {metric_name!r}",
                           f"metrics with thresholds: {names}", key=True)
                    continue
                if profile in ("cpu", "gpu") and profile not in metric.profiles:
                    report(loc, f"metric {metric_name!r} is only measured under the "
                           f"{'/'.join(metric.profiles)} profile", f"move it under thresholds.{metric.profiles[0]}",
                           key=True)
                if metric.dimension == "bool":
                    report(loc, f"metric {metric_name!r} is a yes/no check and takes no threshold",
                           "remove this line: it is checked in every profile", key=True)
                    continue
                if isinstance(text, (str, int, float)) and not isinstance(text, bool):
                    try:
                        parse_threshold(str(text), metric.dimension)
                    except ThresholdSyntaxError as exc:
                        report(loc, str(exc), exc.hint)
    return kind


def _check_reference(check: str, path: YPath, exercises: dict[str, Any], kinds: dict[str, Any], report: Any,
                     *, allowed: set[str], where: str) -> None:
    slug, _, metric = check.partition("/")
    if slug not in exercises:
        report(path, f"check {check!r} names exercise {slug!r}, which is not defined",
               "write `<slug>` or `<slug>/<metric>` of a defined exercise")
        return
    if slug not in allowed:
        report(path, f"check {check!r} names exercise {slug!r}, which is not among {where}",
               f"add {slug!r} to the exercises list, or point at one of: {', '.join(sorted(allowed)) or 'none'}")
    kind = kinds.get(slug)
    if metric and kind is not None and kind.metric(metric) is None:
        names = ", ".join(m.name for m in kind.metrics)
        report(path, f"exercise {slug!r} (kind {kind.kind!r}) measures no metric {metric!r}", f"its metrics: {names}")


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One representative per cycle, found by depth-first search (white/grey/black)."""
    colour = dict.fromkeys(graph, 0)
    stack: list[str] = []
    found: list[list[str]] = []
    reported: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        colour[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if colour.get(nxt) == 1:
                cycle = stack[stack.index(nxt):]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    found.append(cycle)
            elif colour.get(nxt) == 0:
                visit(nxt)
        stack.pop()
        colour[node] = 2

    for node in sorted(graph):
        if colour[node] == 0:
            visit(node)
    return found


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
