"""``sprint dev check``: every exercise's reference passes, its starter fails, its cheats fail.

All variants are graded through the same sandbox a learner's code meets. A variant is the starter
folder (the library exercise minus ``.meta/``) with an overlay: ``.meta/reference/`` for the
reference, and every file or folder under ``.meta/`` with ``cheat`` in its name for the cheats (a
single cheat file replaces the exercise's first learner file, as named in ``.meta/config.yaml``).
``.meta/config.yaml`` may say which checks each cheat must fail, so a cheat that fails for the
wrong reason is caught too.

**A cheat says what it differs in.** ``base:`` names the variant it starts from (``reference``,
``starter`` or another cheat): its folder, if it has one, then holds only the files it adds or
replaces, laid over that variant. ``edits:`` replaces exact text in a file of the result, each
``old`` occurring exactly once (``{file: [{old: …, new: …}, …]}``), applied after the overlays. A
cheat with a ``base`` needs no folder at all. Materialising is :func:`materialise`: the starter,
then every overlay of the chain from the farthest base to the cheat, then the edits in the same
order.

**Golden verdicts** (Exercism-style): ``<golden>/<slug>.json`` pins, per variant, the overall
status and every check's status — the parts that must not drift; machine-dependent numbers are
left out. :func:`verdicts` makes that record and :func:`golden_drift` compares against it
(``sprint dev check --golden DIR``; the pytest golden tests use the same two functions).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graders.contract import GradeResult, Profile
from tracker.errors import UsageError
from tracker.grading import GradeTarget, grade
from tracker.roadmap.models import Exercise
from tracker.stopping import under_way
from tracker.workspace import IGNORED_NAMES

__all__ = ["CheatSpec", "Edit", "MetaConfig", "Variant", "VariantOutcome", "check_exercise", "check_variant",
           "golden_drift", "materialise", "plan", "verdicts"]

VariantRole = Literal["reference", "starter", "cheat"]


class Edit(BaseModel):
    """Replace ``old`` (exact text, occurring exactly once in the file) with ``new``."""

    model_config = ConfigDict(extra="forbid")
    old: str = Field(min_length=1)
    new: str = ""


class CheatSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    why: str = ""
    fails: list[str] = Field(default_factory=list)
    base: str | None = Field(default=None, description="the variant this cheat starts from: reference, starter "
                                                       "or another cheat")
    edits: dict[str, list[Edit]] = Field(default_factory=dict, description="file → exact-text replacements")


class MetaConfig(BaseModel):
    """``.meta/config.yaml``."""

    model_config = ConfigDict(extra="forbid")
    files: list[str] = Field(default_factory=list)
    reference: str = "reference/"
    cheats: dict[str, CheatSpec] = Field(default_factory=dict)
    notes: str = ""


@dataclass
class VariantOutcome:
    exercise: str
    name: str
    role: VariantRole
    expected: str
    result: GradeResult
    ok: bool
    problems: list[str] = field(default_factory=list)


def load_meta(library_dir: Path) -> MetaConfig:
    path = library_dir / ".meta" / "config.yaml"
    if not path.is_file():
        return MetaConfig()
    try:
        return MetaConfig.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise UsageError(f"{path}: {exc}") from None


def _layers(library_dir: Path, overlay: Path, config: MetaConfig) -> list[tuple[str, Path, CheatSpec | None]]:
    """The variants ``overlay`` is made of, farthest base first: (name, overlay, its cheat spec)."""
    meta = library_dir / ".meta"
    chain: list[tuple[str, Path, CheatSpec | None]] = []
    current = overlay
    while current != library_dir:  # the starter is the floor every variant is laid on
        name = current.name
        if name in [n for n, _, _ in chain]:
            raise UsageError(f"{meta}/config.yaml: the bases of cheat {overlay.name!r} go round in a circle "
                             f"({' → '.join([n for n, _, _ in reversed(chain)] + [name])})")
        spec = config.cheats.get(name) if current.parent == meta else None
        chain.append((name, current, spec))
        if spec is None or spec.base is None:
            break
        current = _variant_path(library_dir, config, spec.base, name)
    return list(reversed(chain))


def _variant_path(library_dir: Path, config: MetaConfig, base: str, cheat: str) -> Path:
    meta = library_dir / ".meta"
    if base == "starter":
        return library_dir
    if base == "reference":
        return meta / config.reference
    if base in config.cheats:
        return meta / base
    raise UsageError(f"{meta}/config.yaml: cheat {cheat!r} has `base: {base}`, which is neither starter, "
                     f"reference nor a cheat listed there")


def _apply_edits(folder: Path, cheat: str, edits: dict[str, list[Edit]], config_path: Path) -> None:
    for name, changes in edits.items():
        target = folder / name
        if not target.is_file():
            raise UsageError(f"{config_path}: cheat {cheat!r} edits {name}, which its variant does not have")
        text = target.read_text(encoding="utf-8")
        for i, edit in enumerate(changes, 1):
            count = text.count(edit.old)
            if count != 1:
                raise UsageError(f"{config_path}: cheat {cheat!r}, edit {i} of {name}: the text to replace occurs "
                                 f"{count} times in the file (it must occur exactly once): {edit.old[:60]!r}")
            text = text.replace(edit.old, edit.new)
        target.write_text(text, encoding="utf-8")


@contextmanager
def materialise(library_dir: Path, overlay: Path, config: MetaConfig) -> Iterator[Path]:
    """A temporary exercise folder: the starter with ``overlay`` copied over it.

    A cheat with a ``base`` (see the module's docstring) is its base's folder first, then its own
    files, then its edits.
    """
    layers = _layers(library_dir, overlay, config)  # a bad chain is refused before anything is copied
    root = Path(tempfile.mkdtemp(prefix="llm-sprint-dev-"))
    folder = root / library_dir.name
    try:
        shutil.copytree(library_dir, folder, ignore=lambda d, names: [n for n in names if n in IGNORED_NAMES])
        for name, path, spec in layers:
            if path.is_dir():
                shutil.copytree(path, folder, dirs_exist_ok=True,
                                ignore=lambda d, names: [n for n in names if n in IGNORED_NAMES])
            elif path.is_file():
                if not config.files:
                    raise UsageError(f"{path}: a single-file cheat needs `files:` in .meta/config.yaml")
                shutil.copyfile(path, folder / config.files[0])
            if spec is not None and spec.edits:
                _apply_edits(folder, name, spec.edits, library_dir / ".meta" / "config.yaml")
        yield folder
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _judge(role: VariantRole, name: str, result: GradeResult, config: MetaConfig) -> tuple[str, list[str]]:
    problems: list[str] = []
    if role == "reference":
        expected = "pass"
        bad = [c for c in result.checks if c.status in ("fail", "error")]
        if result.status not in ("pass", "pending") or bad:
            problems.append(f"reference should pass, got {result.status}: {result.message}")
    elif role == "starter":
        expected = "fail"
        if result.status != "fail":
            problems.append(f"untouched starter should fail (not {result.status}): {result.message}")
    else:
        spec = config.cheats.get(name, CheatSpec())
        expected = "fail" + (f" on {', '.join(spec.fails)}" if spec.fails else "")
        # A check this machine cannot measure (e.g. no Docker engine) is pending: never a pass, and not
        # held against the cheat either. A cheat pending only on such checks is pending here, like a
        # reference; the golden record keeps where it fails.
        named = {n: result.check(n) for n in spec.fails}
        unmeasured = [n for n, c in named.items() if c is not None and c.status == "pending"]
        if result.status == "pending" and unmeasured:
            expected += f" (pending here: {', '.join(unmeasured)})"
        elif result.status not in ("fail", "error"):
            problems.append(f"cheat should fail, got {result.status}")
        for check_name, check in named.items():
            if result.status == "error" and check is None:
                continue
            if check is None or check.status not in ("fail", "error", "pending"):
                got = check.status if check else "not checked"
                problems.append(f"cheat should fail {check_name}, which is {got}")
    return expected, problems


@dataclass(frozen=True)
class Variant:
    """One variant of one exercise, ready to grade (:func:`check_variant`)."""

    exercise: Exercise
    library_dir: Path
    config: MetaConfig
    name: str
    role: VariantRole
    overlay: Path


def plan(exercise: Exercise, library_dir: Path, only: set[VariantRole] | None = None) -> list[Variant]:
    """Every variant of ``exercise``: the starter (its overlay is the library folder itself), the
    reference, then the cheats by name; a cheat listed in ``.meta/config.yaml`` without its folder
    or file is a :class:`UsageError`."""
    meta = library_dir / ".meta"
    config = load_meta(library_dir)
    for listed, spec in config.cheats.items():
        if spec.base is None and not (meta / listed).exists():
            raise UsageError(f"{library_dir}/.meta/config.yaml lists cheat {listed!r}, which does not exist "
                             "(add its folder, or give it a `base:` to start from)")
        _layers(library_dir, meta / listed, config)  # its chain of bases is sound
    found: list[tuple[str, VariantRole, Path]] = [("starter", "starter", library_dir)]
    if (meta / config.reference).exists():
        found.append(("reference", "reference", meta / config.reference))
    cheats = {path.name for path in meta.iterdir() if "cheat" in path.name} if meta.is_dir() else set()
    cheats |= {name for name, spec in config.cheats.items() if spec.base is not None}
    found += [(name, "cheat", meta / name) for name in sorted(cheats)]
    return [Variant(exercise, library_dir, config, name, role, overlay)
            for name, role, overlay in found if not only or role in only]


def check_variant(variant: Variant, *, profile: Profile = "cpu", seed: int | None = None) -> VariantOutcome:
    """Grade one variant in the sandbox and judge the verdict against its role."""
    with under_way(f"checking {variant.exercise.slug} {variant.name}"), \
            materialise(variant.library_dir, variant.overlay, variant.config) as folder:
        result = grade(GradeTarget(variant.exercise, folder, variant.library_dir), profile=profile, seed=seed)
    expected, problems = _judge(variant.role, variant.name, result, variant.config)
    return VariantOutcome(variant.exercise.slug, variant.name, variant.role, expected, result, not problems, problems)


def check_exercise(exercise: Exercise, library_dir: Path, *, profile: Profile = "cpu", seed: int | None = None,
                   on_variant: Callable[[VariantOutcome], None] | None = None,
                   only: set[VariantRole] | None = None) -> list[VariantOutcome]:
    """Grade every variant of ``exercise`` one after the other (``on_variant`` sees each outcome)."""
    outcomes = []
    for variant in plan(exercise, library_dir, only):
        outcome = check_variant(variant, profile=profile, seed=seed)
        outcomes.append(outcome)
        if on_variant:
            on_variant(outcome)
    return outcomes


def verdicts(outcomes: list[VariantOutcome]) -> dict[str, dict[str, object]]:
    """The golden record of one exercise's outcomes: per variant, status, ok, problems, check statuses."""
    return {o.name: {"status": o.result.status, "ok": o.ok, "problems": o.problems,
                     "checks": {c.name: c.status for c in o.result.checks}} for o in outcomes}


def golden_drift(slug: str, got: dict[str, dict[str, object]], golden_dir: Path) -> list[str]:
    """How ``got`` differs from ``<golden_dir>/<slug>.json``, one line per difference; [] when equal.

    A missing golden file is a difference too: a new exercise needs its record committed.
    """
    path = golden_dir / f"{slug}.json"
    if not path.is_file():
        return [f"{path} does not exist (write it with UPDATE_GOLDEN=1 python -m pytest -m slow)"]
    want = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for variant in sorted(set(want) | set(got)):
        a, b = want.get(variant), got.get(variant)
        if a is None or b is None:
            lines.append(f"{slug}/{variant}: {'not in the golden record' if a is None else 'no longer graded'}")
        elif a != b:
            for key in ("status", "ok", "problems"):
                if a.get(key) != b.get(key):
                    lines.append(f"{slug}/{variant}: {key} {a.get(key)!r} → {b.get(key)!r}")
            checks_a, checks_b = a.get("checks") or {}, b.get("checks") or {}
            assert isinstance(checks_a, dict) and isinstance(checks_b, dict)
            for name in sorted(set(checks_a) | set(checks_b)):
                if checks_a.get(name) != checks_b.get(name):
                    lines.append(f"{slug}/{variant}: check {name} {checks_a.get(name)} → {checks_b.get(name)}")
    return lines
