"""Adapter of kind ``dataset`` — trusted grader code that runs *in the learner worker*.

The learner's ``load(folder)`` returns a 🤗 ``datasets.IterableDataset``: an object that cannot leave
the learner's process. This adapter keeps its iterator here and hands the measurer its records in
batches, as data: the texts as one UTF-8 blob (a ``uint8`` array) with their byte lengths, the
``n_words`` and ``source`` columns as lists. It decides nothing: a record whose columns are not
exactly ``text`` (str), ``n_words`` (an integer) and ``source`` (str) is counted as malformed and shown
once, and the measurer counts it against the learner. It holds nothing secret (the measurer never
sends it an expected record), and the learner's code can patch it — all that yields is records the
measurer does not expect. Batches are kept small (``max_bytes``), so the adapter's own memory is a
few MB of the learner's peak.
"""

from __future__ import annotations

import numbers
from typing import Any, TypedDict

from graders.harness.learner import learner_function
from graders.wire import Array

__all__ = ["BatchReply", "OpenReply", "next_batch", "open_dataset"]

COLUMNS = ("n_words", "source", "text")
_state: dict[str, Any] = {}


class OpenReply(TypedDict):
    """What ``load(folder)`` returned."""

    type: str  # module.qualname of the returned object
    iterable: bool  # a datasets.IterableDataset


class BatchReply(TypedDict):
    """The next records of the kept iterator, column by column."""

    text: Array  # uint8: every well-formed record's text, UTF-8, one after the other
    lengths: list[int]  # bytes of each text
    n_words: list[int]
    source: list[int]  # index into sources
    sources: list[str]
    malformed: int  # records with other columns or column types (not in the lists above)
    example: str  # the first malformed record, shortened ("" when none)
    done: bool  # the iterator is exhausted


def open_dataset(fn: str, folder: str) -> OpenReply:
    """Call the learner's ``fn`` (``module:load``) on ``folder`` and keep an iterator over what it
    returned, when that is a ``datasets.IterableDataset``."""
    _state.pop("iterator", None)
    returned = learner_function(fn)(folder)
    import datasets

    kind = f"{type(returned).__module__}.{type(returned).__qualname__}"
    if not isinstance(returned, datasets.IterableDataset):
        return OpenReply(type=kind, iterable=False)
    _state["iterator"] = iter(returned)
    return OpenReply(type=kind, iterable=True)


def _example(record: Any) -> str:
    if isinstance(record, dict):
        shown = {k: (v[:60] + "…" if isinstance(v, str) and len(v) > 60 else v) for k, v in list(record.items())[:6]}
        return repr(shown)[:240]
    return f"a {type(record).__name__}: {record!r}"[:240]


def next_batch(max_records: int, max_bytes: int) -> BatchReply:
    """Up to ``max_records`` records (or about ``max_bytes`` of text) from the kept iterator."""
    iterator = _state["iterator"]
    blobs: list[bytes] = []
    lengths: list[int] = []
    n_words: list[int] = []
    source: list[int] = []
    sources: dict[str, int] = {}
    malformed, example, size, done = 0, "", 0, False
    while len(lengths) + malformed < max_records and size < max_bytes:
        try:
            record = next(iterator)
        except StopIteration:
            done = True
            break
        if not (isinstance(record, dict) and len(record) == 3 and sorted(record) == list(COLUMNS)
                and isinstance(record["text"], str) and isinstance(record["source"], str)
                and isinstance(record["n_words"], numbers.Integral) and not isinstance(record["n_words"], bool)):
            malformed += 1
            example = example or _example(record)
            continue
        data = record["text"].encode("utf-8", "surrogatepass")
        blobs.append(data)
        lengths.append(len(data))
        n_words.append(int(record["n_words"]))
        source.append(sources.setdefault(record["source"], len(sources)))
        size += len(data)
    blob = b"".join(blobs)
    return BatchReply(text=Array("uint8", (len(blob),), blob), lengths=lengths, n_words=n_words, source=source,
                      sources=list(sources), malformed=malformed, example=example, done=done)
