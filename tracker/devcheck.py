"""``sprint dev check``: every exercise's reference passes, its starter fails, its cheats fail.

All variants are graded through the same sandbox a learner's code meets. A variant is the starter
folder (the library exercise minus ``.meta/``) with an overlay: ``.meta/reference/`` for the
reference, and every file or folder under ``.meta/`` with ``cheat`` in its name for the cheats (a
single cheat file replaces the exercise's first learner file, as named in ``.meta/config.yaml``).
``.meta/config.yaml`` may say which checks each cheat must fail, so a cheat that fails for the
wrong reason is caught too, and what a cheat is built on, so a cheat holds only what it changes:
``base:`` names a folder under ``.meta/`` (``standin/``, ``reference/``, another cheat's) or another
cheat listed there, laid over the starter first; the cheat's own folder (if it has one) follows, then
its edits from ``.meta/edits.yaml`` — exact text of a file replaced, each ``old`` occurring exactly
once (``{cheat: {file: [{old: …, new: …}, …]}}``). A cheat with a base needs no folder of its own.
The edits are pieces of the reference, so they live beside ``config.yaml``, not in it: the wheel a
learner installs ships ``config.yaml`` and no ``edits.yaml``.

**Golden verdicts** (Exercism-style): ``<golden>/<slug>.json`` pins, per variant, the overall
status and every check's status — the parts that must not drift; machine-dependent numbers are
left out. :func:`verdicts` makes that record and :func:`golden_drift` compares against it
(``sprint dev check --golden DIR``; the pytest golden tests use the same two functions).

**Checking the library** (:func:`check_library`, what ``sprint dev check`` runs): exercises whose
verdicts depend on wall-clock speed (a *timed* kind) are graded alone, one variant after the other;
with ``jobs > 1`` the variants of the others share the machine, ``jobs`` at a time — every variant is
one task, so the longest exercise does not end up running by itself at the end. A crash or Ctrl-C
ends the hand-out: the variants not yet started are skipped, the running ones end.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from graders.contract import GradeResult, Profile
from graders.paths import exercise_dir
from tracker.errors import UsageError
from tracker.grading import GradeTarget, grade, kind_of
from tracker.roadmap.models import Exercise, Roadmap
from tracker.stopping import under_way
from tracker.workspace import IGNORED_NAMES

__all__ = ["CheatSpec", "Edit", "ExerciseCheck", "MetaConfig", "Progress", "Variant", "VariantOutcome", "bases",
           "check_exercise", "check_library", "check_variant", "golden_drift", "is_timed", "load_meta", "materialise",
           "plan", "require_authoring_files", "select", "verdicts"]

VariantRole = Literal["reference", "starter", "cheat"]


class Edit(BaseModel):
    """Replace ``old`` (exact text, occurring exactly once in the file) with ``new``."""

    model_config = ConfigDict(extra="forbid")
    old: str = Field(min_length=1)
    new: str = ""


class CheatSpec(BaseModel):
    """A cheat's entry in ``.meta/config.yaml``.

    ``base``: a folder under ``.meta/`` copied over the starter before the cheat's own files, so a
    cheat holds only what it changes (e.g. ``base: standin/``, a working stand-in server, and the
    cheat's ``server.py`` overrides one behaviour of it; or ``base: reference/`` with edits in
    ``.meta/edits.yaml``). A base may be another cheat, itself based on a third, with or without a
    folder of its own; a cheat with a base needs no folder.
    """

    model_config = ConfigDict(extra="forbid")
    why: str = ""
    fails: list[str] = Field(default_factory=list)
    base: str = ""


class MetaConfig(BaseModel):
    """``.meta/config.yaml``."""

    model_config = ConfigDict(extra="forbid")
    files: list[str] = Field(default_factory=list)
    reference: str = "reference/"
    cheats: dict[str, CheatSpec] = Field(default_factory=dict)
    notes: str = ""
    # From .meta/edits.yaml (never config.yaml, which ships): cheat → file → exact-text replacements.
    edits: dict[str, dict[str, list[Edit]]] = Field(default_factory=dict, exclude=True)

    def derived(self, cheat: str) -> bool:
        """Whether ``cheat`` is built from other variants (a base, edits): it needs no folder of its own."""
        spec = self.cheats.get(cheat)
        return bool(spec is not None and spec.base) or cheat in self.edits


@dataclass
class VariantOutcome:
    exercise: str
    name: str
    role: VariantRole
    expected: str
    result: GradeResult
    ok: bool
    problems: list[str] = field(default_factory=list)


_EDITS = TypeAdapter(dict[str, dict[str, list[Edit]]])


def load_meta(library_dir: Path) -> MetaConfig:
    """``.meta/config.yaml``, with the cheats' edits from ``.meta/edits.yaml`` when there is one."""
    path = library_dir / ".meta" / "config.yaml"
    if not path.is_file():
        return MetaConfig()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(raw, dict) and "edits" in raw:
            raise UsageError(f"{path}: `edits:` belongs in .meta/edits.yaml — config.yaml ships in the wheel a "
                             "learner installs, and edits are pieces of the reference")
        config = MetaConfig.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    edits_path = path.with_name("edits.yaml")
    if edits_path.is_file():
        try:
            config.edits = _EDITS.validate_python(yaml.safe_load(edits_path.read_text(encoding="utf-8")) or {})
        except (yaml.YAMLError, ValidationError) as exc:
            raise UsageError(f"{edits_path}: {exc}") from None
        unknown = sorted(set(config.edits) - set(config.cheats))
        if unknown:
            raise UsageError(f"{edits_path} edits {', '.join(unknown)}, which config.yaml does not list as cheats")
    return config


def require_authoring_files(library_dir: Path, config: MetaConfig | None = None) -> None:
    """:class:`UsageError` unless the exercise's reference is there to grade.

    An installed wheel ships the library without references and cheats (a learner's install holds
    no answers), so the authoring check runs only from a source checkout; this says so up front
    instead of grading starters alone and calling that a pass.
    """
    config = config if config is not None else load_meta(library_dir)
    if (library_dir / ".meta" / config.reference).exists():
        return
    from graders.paths import library_is_installed

    if library_is_installed():
        raise UsageError(f"sprint dev check grades each exercise's reference and cheats (.meta/{config.reference}, "
                         f".meta/cheat-*), and this llm-sprint is installed from a wheel, which ships the exercise "
                         f"library ({library_dir.parent}) without them. Run it from a source checkout: clone the "
                         f"llm-sprint repository and `pip install -e .` there, or set LLM_SPRINT_LIBRARY to the "
                         f"checkout's folder")
    raise UsageError(f"{library_dir}/.meta/{config.reference} does not exist: every exercise needs a reference "
                     f"(`reference:` in .meta/config.yaml names it)")


def bases(library_dir: Path, overlay: Path, config: MetaConfig) -> list[Path]:
    """The variants ``overlay`` (a cheat) is built on, the innermost first; [] for anything else.

    Each is a folder under ``.meta/`` or a cheat listed in the config (which may have no folder).
    A base that is neither, or a cycle of bases, is a :class:`UsageError`.
    """
    meta = library_dir / ".meta"
    chain: list[Path] = []
    spec = config.cheats.get(overlay.name) if overlay.parent == meta else None
    while spec is not None and spec.base:
        base = meta / spec.base
        if not base.is_dir() and base.name not in config.cheats:
            raise UsageError(f"{meta}/config.yaml: the base {spec.base!r} of cheat {overlay.name!r} is neither a "
                             "folder under .meta/ nor a cheat listed there")
        if base == overlay or base in chain:
            raise UsageError(f"{meta}/config.yaml: the bases of cheat {overlay.name!r} form a cycle")
        chain.insert(0, base)
        spec = config.cheats.get(base.name)
    return chain


def _apply_edits(folder: Path, cheat: str, edits: dict[str, list[Edit]], edits_path: Path) -> None:
    for name, changes in edits.items():
        target = folder / name
        if not target.is_file():
            raise UsageError(f"{edits_path}: cheat {cheat!r} edits {name}, which its variant does not have")
        text = target.read_text(encoding="utf-8")
        for i, edit in enumerate(changes, 1):
            count = text.count(edit.old)
            if count != 1:
                raise UsageError(f"{edits_path}: cheat {cheat!r}, edit {i} of {name}: the text to replace occurs "
                                 f"{count} times in the file (it must occur exactly once): {edit.old[:60]!r}")
            text = text.replace(edit.old, edit.new)
        target.write_text(text, encoding="utf-8")


@contextmanager
def materialise(library_dir: Path, overlay: Path, config: MetaConfig) -> Iterator[Path]:
    """A temporary exercise folder: the starter, the cheat's bases if it has any (``base:``), then
    ``overlay`` copied over it; after each of those its edits (``.meta/edits.yaml``), if it has any."""
    root = Path(tempfile.mkdtemp(prefix="llm-sprint-dev-"))
    folder = root / library_dir.name

    def ignored(_folder: str, names: list[str]) -> list[str]:
        return [n for n in names if n in IGNORED_NAMES]

    try:
        shutil.copytree(library_dir, folder, ignore=ignored)
        if overlay != library_dir:
            for layer in [*bases(library_dir, overlay, config), overlay]:
                if layer.is_dir():
                    shutil.copytree(layer, folder, dirs_exist_ok=True, ignore=ignored)
                elif layer.is_file():
                    if not config.files:
                        raise UsageError(f"{layer}: a single-file cheat needs `files:` in .meta/config.yaml")
                    shutil.copyfile(layer, folder / config.files[0])
                edits = config.edits.get(layer.name) if layer.parent == library_dir / ".meta" else None
                if edits:
                    _apply_edits(folder, layer.name, edits, library_dir / ".meta" / "edits.yaml")
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
    or file (and no ``base``), with a ``base`` that is neither a folder nor a cheat, or with an edit
    that does not fit (tried on a scratch copy), is a :class:`UsageError`: nothing is graded then."""
    meta = library_dir / ".meta"
    config = load_meta(library_dir)
    for listed in config.cheats:
        if not config.derived(listed) and not (meta / listed).exists():
            raise UsageError(f"{library_dir}/.meta/config.yaml lists cheat {listed!r}, which does not exist "
                             "(add its folder, or say what it is built on: `base:`)")
        bases(library_dir, meta / listed, config)
        if listed in config.edits:
            with materialise(library_dir, meta / listed, config):
                pass
    require_authoring_files(library_dir, config)
    found: list[tuple[str, VariantRole, Path]] = [("starter", "starter", library_dir),
                                                  ("reference", "reference", meta / config.reference)]
    cheats = {path.name for path in meta.iterdir() if "cheat" in path.name} if meta.is_dir() else set()
    cheats |= {name for name in config.cheats if config.derived(name)}
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


# ---------------------------------------------------------------------------------------------
# checking the library


def is_timed(exercise: Exercise) -> bool:
    """Do ``exercise``'s verdicts depend on wall-clock speed (its kind is ``timed``)?"""
    return kind_of(exercise).timed


def select(roadmap: Roadmap, slugs: Sequence[str] = (), *, timed: bool | None = None) -> list[Exercise]:
    """The exercises to check, in roadmap order: ``slugs`` (default: every one in the library), only the
    timed or untimed ones when ``timed`` says so. Naming one outside the library, or selecting none
    at all, is a UsageError: checking nothing must not look like a pass."""
    available = [e for e in roadmap.exercises if exercise_dir(e.slug).is_dir()]
    if slugs:
        unknown = [s for s in slugs if s not in {e.slug for e in available}]
        if unknown:
            raise UsageError(f"not in the exercise library: {', '.join(unknown)}; "
                             f"available: {', '.join(e.slug for e in available)}")
        available = [e for e in available if e.slug in slugs]
    if timed is not None:
        available = [e for e in available if is_timed(e) == timed]
        if not available:
            flag = "timed" if timed else "untimed"
            raise UsageError(f"no {flag} exercise among {', '.join(slugs) if slugs else 'the library'}: drop --{flag}")
    return available


@dataclass
class ExerciseCheck:
    """Every variant of one exercise, graded and judged, and how the verdicts differ from its golden record."""

    exercise: Exercise
    outcomes: list[VariantOutcome]
    drift: list[str] = field(default_factory=list)  # [] when equal, or when no golden records were given


class Progress:
    """What :func:`check_library` reports as it goes; override what you show. Never called concurrently."""

    def shared(self, exercises: int, variants: int, jobs: int) -> None:
        """``variants`` of ``exercises`` untimed exercises are about to share the machine, ``jobs`` at a time."""

    def started(self, exercise: Exercise) -> None:
        """An exercise graded alone begins; :meth:`graded` follows for each of its variants."""

    def graded(self, outcome: VariantOutcome) -> None:
        """A variant of the exercise graded alone is done."""

    def done(self, check: ExerciseCheck, *, live: bool) -> None:
        """An exercise is done: ``live`` when its variants were reported one by one (:meth:`graded`)."""


def check_library(exercises: Sequence[Exercise], *, seed: int | None = None, golden: Path | None = None,
                  jobs: int = 1, progress: Progress | None = None) -> list[ExerciseCheck]:
    """Grade and judge every variant of ``exercises``; results in the order of ``exercises``.

    Untimed exercises share the machine, ``jobs`` variants at a time, when ``jobs > 1``; timed ones
    are graded alone, afterwards. ``golden``: compare every exercise's verdicts with
    ``<golden>/<slug>.json``. An exception in a variant (a crash of ours) or in the waiting thread
    (Ctrl-C) stops the hand-out — the variants not yet started are skipped, the running ones end —
    and propagates. A missing reference (an installed wheel ships none), or a bad ``.meta/`` of any
    shared exercise, is a UsageError before anything is graded.
    """
    for ex in exercises:  # an installed wheel has no references: say so before grading anything
        require_authoring_files(exercise_dir(ex.slug))
    report = progress or Progress()
    stop = threading.Event()
    lock = threading.Lock()  # held around every call of ``report`` and every change to the shared state
    done: dict[str, ExerciseCheck] = {}

    def finish(ex: Exercise, outcomes: list[VariantOutcome], *, live: bool) -> None:
        drift = golden_drift(ex.slug, verdicts(outcomes), golden) if golden is not None else []
        done[ex.slug] = ExerciseCheck(ex, outcomes, drift)
        report.done(done[ex.slug], live=live)

    alongside = [e for e in exercises if not is_timed(e)] if jobs > 1 else []
    if alongside:
        planned = {ex.slug: plan(ex, exercise_dir(ex.slug)) for ex in alongside}
        graded: dict[str, dict[int, VariantOutcome]] = {ex.slug: {} for ex in alongside}

        def task(ex: Exercise, index: int, variant: Variant) -> None:
            if stop.is_set():
                return
            try:
                outcome = check_variant(variant, seed=seed)
            except BaseException:
                stop.set()
                raise
            with lock:
                graded[ex.slug][index] = outcome
                if len(graded[ex.slug]) == len(planned[ex.slug]):
                    finish(ex, [graded[ex.slug][i] for i in range(len(planned[ex.slug]))], live=False)

        with lock:
            report.shared(len(alongside), sum(map(len, planned.values())), jobs)
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="dev-check") as pool:
            futures = [pool.submit(task, ex, i, variant)
                       for ex in alongside for i, variant in enumerate(planned[ex.slug])]
            try:
                for future in futures:
                    future.result()
            except BaseException:  # Ctrl-C: the queued variants return at once, the running ones end
                stop.set()
                raise
    for ex in exercises:
        if ex.slug in done:
            continue
        with lock:
            report.started(ex)

        def live(outcome: VariantOutcome) -> None:
            with lock:
                report.graded(outcome)

        outcomes = check_exercise(ex, exercise_dir(ex.slug), seed=seed, on_variant=live)
        with lock:
            finish(ex, outcomes, live=True)
    return [done[ex.slug] for ex in exercises]
