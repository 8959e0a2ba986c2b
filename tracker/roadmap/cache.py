"""The validated roadmap, kept in ``.sprint/`` so that an unchanged ``roadmap.yaml`` is neither parsed
nor validated again: no PyYAML, no grader kind imported, on every ``sprint status``.

**Key.** A sha256 over: this file's format; the roadmap's text; the installed kinds
(:func:`graders.registry.fingerprint`: every entry point with its distribution's name and version —
installing, removing or upgrading a plugin or llm-sprint changes it); pydantic's version; and the
size and modification time of the code that validates (this package, ``graders.thresholds`` and
``graders.contract``, the built-in kinds), so a development checkout sees its own edits; and the
exercise library's folder with the exercises in it (``LLM_SPRINT_LIBRARY``, a new exercise). A changed
roadmap is validated by :func:`tracker.roadmap.loader.parse_roadmap`, every problem located as
``file:line:column`` exactly as without a cache; a broken one raises :class:`RoadmapError` and
writes nothing.

Reading the kinds' metadata costs more than everything else here, so the file also keeps the
fingerprint it was written under, with the modification time of every folder on ``sys.path``;
while none of those folders changed (installing or removing a distribution adds, removes or renames
its ``.dist-info`` in one of them), that fingerprint is used instead of reading it again.

**File.** ``.sprint/roadmap.cache.json``: one header line, JSON ``{"format", "key", "sha256",
"installed", "kinds"}``, then the validated roadmap as JSON (``model_dump``: by alias, the fields the
file left out omitted). Never pickle: reading the file runs no code. A file that does not parse, is
of another format or key, or whose body does not match its sha256 is ignored and replaced — never
trusted, never a crash. A roadmap whose JSON would not read back equal (a ``params`` value JSON
cannot hold, such as a date or NaN) is not cached: it is validated on every start, as without a
cache.

**Writers.** The file is written to a temporary file in the same folder and renamed into place, so
two ``sprint`` at once leave one whole file (the last one renamed); a folder that cannot be written
only costs the speed-up.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
import os
import sys
import tempfile
import types
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Union, cast, get_args, get_origin

from pydantic import BaseModel

from tracker.roadmap.models import Roadmap

__all__ = ["CACHE_NAME", "FORMAT", "cache_key", "load_cached"]

CACHE_NAME = "roadmap.cache.json"
#: the layout of the file and of the model's JSON; raise it when either changes
FORMAT = 1


class _Unusable(Exception):
    """The cache file cannot be used (absent, corrupt, another format or key): validate instead."""


@dataclass(frozen=True)
class _Entry:
    """A cache file that parsed: its header's fields and its body (not yet checked against the digest)."""

    key: str
    digest: str
    installed: str  # _installed() when it was written
    kinds: str  # graders.registry.fingerprint() then
    body: bytes


def load_cached(path: Path, cache_dir: Path) -> Roadmap:
    """The roadmap at ``path``, from the cache in ``cache_dir`` when it holds this text validated
    under the installed kinds; else validated in full (and then cached). Raises
    :class:`tracker.errors.RoadmapError` (exit 2, every problem located) exactly as
    :func:`~tracker.roadmap.loader.load_roadmap` does, and then writes nothing."""
    from graders.registry import fingerprint
    from tracker.roadmap.loader import parse_roadmap, read_roadmap

    text = read_roadmap(path)
    cache = cache_dir / CACHE_NAME
    entry = _entry(cache)
    installed = _installed()
    # Reading the installed kinds' metadata costs ~6 ms (and importlib.metadata ~10 ms more): skip it
    # while no folder Python imports from has changed since the file was written.
    same_install = entry is not None and entry.installed == installed
    kinds = entry.kinds if entry is not None and same_install else fingerprint()
    key = cache_key(text, kinds)
    if entry is not None and entry.key == key:
        try:
            roadmap = _roadmap(entry)
        except _Unusable:
            pass
        else:
            if not same_install:  # installed things moved, the kinds did not: remember the new folders
                _write(cache, key, installed, kinds, entry.body)
            return roadmap
    roadmap = parse_roadmap(text, str(path))
    if same_install:
        kinds = fingerprint()  # the file's own word is trusted only to skip work, never to write a key
        key = cache_key(text, kinds)
    body = _body(roadmap)
    if body is not None:
        _write(cache, key, installed, kinds, body)
    return roadmap


def cache_key(text: str, kinds: str) -> str:
    """What the validation of ``text`` depends on, hashed (see the module's docstring); ``kinds`` is
    :func:`graders.registry.fingerprint`."""
    from pydantic.version import VERSION

    digest = hashlib.sha256()
    for part in (f"format {FORMAT}", text, kinds, f"pydantic {VERSION}", _code_stamp(), _library()):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _installed() -> str:
    """Every folder (or zip) Python imports from, with its modification time. Installing, removing or
    upgrading a distribution adds, removes or renames an entry of one of them (its ``.dist-info``),
    which changes that folder's time."""
    stamps = []
    for entry in sys.path:
        try:
            stamps.append(f"{entry} {os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            stamps.append(f"{entry} -")
    return "\n".join(stamps)


def _library() -> str:
    """The exercise library and the exercises it holds: an exercise whose kind is not installed is
    an error when the library has its folder, and "not yet available" when it does not."""
    from graders.paths import library_root

    root = library_root()
    try:
        names = sorted(entry.name for entry in os.scandir(root / "exercises") if entry.is_dir())
    except OSError:
        names = []
    return f"{root}\n" + "\n".join(names)


def _code_stamp() -> str:
    """Size and mtime of each module that takes part in validating a roadmap (an installed wheel's
    never change; a development checkout's do, and must not be answered by a stale cache)."""
    import graders

    here = Path(__file__).parent
    graders_dir = Path(graders.__file__).parent
    files = [*sorted(here.glob("*.py")), graders_dir / "thresholds.py", graders_dir / "contract.py",
             *sorted((graders_dir / "kinds").glob("*.py"))]
    stamps = []
    for file in files:
        try:
            st = file.stat()
        except OSError:
            continue
        stamps.append(f"{file.name} {st.st_size} {st.st_mtime_ns}")
    return "\n".join(stamps)


def _entry(cache: Path) -> _Entry | None:
    """The cache file's header and body; None when it is absent, unreadable or not of this format."""
    try:
        head, _, body = cache.read_bytes().partition(b"\n")
        header = json.loads(head)
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return None
    fields = [header.get(name) for name in ("key", "sha256", "installed", "kinds")]
    if not all(isinstance(f, str) for f in fields):
        return None
    key, digest, installed, kinds = cast("list[str]", fields)
    return _Entry(key, digest, installed, kinds, body)


def _roadmap(entry: _Entry) -> Roadmap:
    """The roadmap an entry holds, when its body is the one its header vouches for."""
    if hashlib.sha256(entry.body).hexdigest() != entry.digest:
        raise _Unusable("the body does not match its digest")
    try:
        roadmap = _construct(Roadmap, json.loads(entry.body))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise _Unusable(str(exc)) from None
    if not isinstance(roadmap, Roadmap):
        raise _Unusable("not a roadmap")
    return roadmap


def _write(cache: Path, key: str, installed: str, kinds: str, body: bytes) -> None:
    header = json.dumps({"format": FORMAT, "key": key, "sha256": hashlib.sha256(body).hexdigest(),
                         "installed": installed, "kinds": kinds}, ensure_ascii=True)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{cache.name}.", dir=cache.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(header.encode("ascii") + b"\n" + body)
            os.replace(tmp, cache)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only workspace: every start validates, as without a cache


def _body(roadmap: Roadmap) -> bytes | None:
    """The JSON to cache for ``roadmap``; None when it would not become ``roadmap`` again (the same
    fields set) — a kind's ``params`` may hold YAML values JSON cannot: dates, NaN, bytes, int keys."""
    try:  # pydantic's serialization error is a ValueError
        body = roadmap.model_dump_json(by_alias=True, exclude_unset=True).encode("utf-8")
        again = _construct(Roadmap, json.loads(body))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    same = again == roadmap and again.model_dump(exclude_unset=True) == roadmap.model_dump(exclude_unset=True)
    return body if same else None


def _construct(model: type[BaseModel], value: Any) -> Any:
    """``value`` (the JSON of a validated ``model``) as that model again, without validating: models
    by ``model_construct`` (the fields present are the fields set), dates from ISO text. Raises
    TypeError/KeyError/ValueError on what the writer cannot have written."""
    return _model_reader(model)(value)


_Reader = Callable[[Any], Any]
_IMMUTABLE = (str, int, float, bool, type(None), tuple, frozenset)


@cache
def _model_reader(model: type[BaseModel]) -> _Reader:
    """How to read one ``model`` from JSON, worked out once per class (the roadmap has a thousand
    models). A model that holds itself would recurse here: the roadmap's models do not."""
    # (field, its JSON key, how to read it, its default — None when the field is required)
    plan: list[tuple[str, str, _Reader, Callable[[], Any] | None]] = []
    for name, field in model.model_fields.items():
        if field.is_required():
            default: Callable[[], Any] | None = None
        elif field.default_factory is not None:
            default = cast("Callable[[], Any]", field.default_factory)  # list, dict: they take no argument
        elif isinstance(field.default, _IMMUTABLE):
            default = functools.partial(_same, field.default)
        else:
            default = functools.partial(copy.deepcopy, field.default)
        plan.append((name, field.alias or name, _reader(field.annotation), default))
    keys = {key for _, key, _, _ in plan}

    def read(value: Any) -> Any:
        if type(value) is not dict:
            raise TypeError(f"expected an object for {model.__name__}, got {type(value).__name__}")
        if not value.keys() <= keys:
            raise KeyError(f"unknown keys in {model.__name__}: {sorted(value.keys() - keys)}")
        fields: dict[str, Any] = {}
        present = set()
        for name, key, reader, default in plan:
            if key in value:
                fields[name] = reader(value[key])
                present.add(name)
            elif default is None:
                raise KeyError(f"{model.__name__}.{key} is missing")
            else:
                fields[name] = default()
        return model.model_construct(_fields_set=present, **fields)

    return read


def _same(value: Any) -> Any:
    return value


def _reader(tp: Any) -> _Reader:
    """How to read a value annotated ``tp``: lists, dicts, optionals, models, dates; the rest as JSON has it."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _reader(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        args = get_args(tp)
        inner = _reader(next(a for a in args if a is not type(None)))
        if type(None) not in args:
            return inner
        return lambda v: None if v is None else inner(v)
    if origin is list:
        item = _reader(get_args(tp)[0])

        def read_list(v: Any) -> list[Any]:
            if type(v) is not list:
                raise TypeError(f"expected a list, got {type(v).__name__}")
            return [item(x) for x in v]

        return read_list
    if origin is dict:
        value = _reader(get_args(tp)[1])

        def read_dict(v: Any) -> dict[str, Any]:
            if type(v) is not dict:
                raise TypeError(f"expected an object, got {type(v).__name__}")
            return {k: value(x) for k, x in v.items()}

        return read_dict
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _model_reader(tp)
    if tp is dt.date:
        return dt.date.fromisoformat
    if tp is float:
        return lambda v: float(v) if type(v) is int else v
    return lambda v: v
