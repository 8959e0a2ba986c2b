"""Measurer of kind ``dataset`` — trusted; runs beside the learner worker (see graders.measurer).

Two stages, each a corpus this process writes into the run folder just before the learner's
``load(folder)`` sees it (graders.kinds.dataset_corpus):

1. **the small corpus** — every trap at once. The worker's adapter (graders.kinds.dataset_adapter)
   iterates what ``load`` returned and sends every record here in batches; this process compares
   them, as a multiset, with the records the README's rules give, and words the differences.
2. **the large corpus** (``large_bytes``, only when stage 1 is exact: a loader that yields the wrong
   records has nothing to learn from its memory yet). The worker's garbage is collected, then —
   inside one window of :meth:`~graders.measurer.Worker.memory`, read from outside, opened before
   the corpus is written — ``load`` runs and every record is pulled through; each arrives here and
   is fingerprinted (:func:`~graders.kinds.dataset_corpus.digest`) against the fingerprints kept
   while writing. ``seconds`` is the sum of the worker's calls as this process timed them (request
   sent → reply received), so the time spent fingerprinting here is not the learner's. Once the
   worker holds ``stop_above`` bytes more than when the window opened (the parent passes twice the
   threshold), reading stops: the verdict on memory is in, and a loader that holds the corpus
   fails fast; the large corpus's records are then not counted.

The worker never sees the seed or an expected record; every number is computed here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

from graders.faults import LearnerFault
from graders.harness.channel import Channel
from graders.kinds.dataset_adapter import BatchReply, OpenReply
from graders.kinds.dataset_corpus import MIN_WORDS, Record, SmallCorpus, digest, write_large, write_small
from graders.measurer import Worker, expect

__all__ = ["DatasetJob", "DatasetReport", "measure"]

ADAPTER = "graders.kinds.dataset_adapter"
BATCH_RECORDS = 4096
BATCH_BYTES = 1 << 20
SHOWN = 3  # examples per kind of difference


class DatasetJob(TypedDict):
    """What the parent (graders.kinds.dataset) sends the measurer."""

    module: str
    function: str
    seed: int
    large_bytes: int
    stop_above: int  # stop reading the large corpus once the worker holds this much more (0: never)


class DatasetReport(TypedDict):
    """What the measurer sends back on the result channel."""

    small_bytes: int
    small_expected: int
    small_matched: int
    small_unexpected: int  # records yielded beyond the matched ones, malformed ones included
    problems: list[str]  # the differences, in words
    large_measured: bool
    large_bytes: int
    large_files: int
    largest_file: int
    large_expected: int
    large_matched: int
    large_unexpected: int
    peak_extra: int  # the worker's peak RSS during stage 2 above its RSS as the window opened
    peak_rss: int
    memory_method: str
    seconds: float  # load() and every batch of stage 2, as timed here
    stopped_at: int  # bytes of text read when reading stopped over ``stop_above`` (0: read to the end)


def _open(worker: Worker, fn: str, folder: Path) -> float:
    opened = worker.adapter(f"{ADAPTER}:open_dataset", fn, str(folder), returns=OpenReply)
    if not opened["iterable"]:
        raise LearnerFault(f"load() returned {opened['type']}, not a datasets.IterableDataset: stream the files "
                           "(load_dataset(..., streaming=True) or IterableDataset.from_generator)", status="fail")
    return worker.last_seconds


def _batches(worker: Worker, limit: int) -> Iterator[tuple[BatchReply, float]]:
    """Every batch of the opened dataset with its call's time; stops after ``limit`` records (an
    endless dataset must end somewhere)."""
    seen = 0
    while True:
        batch = worker.adapter(f"{ADAPTER}:next_batch", BATCH_RECORDS, BATCH_BYTES, returns=BatchReply)
        n = len(batch["lengths"])
        sizes_agree = sum(batch["lengths"]) == batch["text"].shape[0] and batch["text"].dtype == "uint8"
        if not sizes_agree or len(batch["n_words"]) != n or len(batch["source"]) != n \
                or any(not 0 <= i < len(batch["sources"]) for i in batch["source"]) or min(batch["lengths"] or [0]) < 0:
            raise LearnerFault("the grader's adapter sent an inconsistent batch — something in your code's process "
                               "changed the grader's code there")
        yield batch, worker.last_seconds
        seen += n + batch["malformed"]
        if batch["done"] or seen > limit:
            return


def _records(batch: BatchReply) -> Iterator[tuple[str, bytes, int]]:
    blob, start = batch["text"].data, 0
    for length, words, src in zip(batch["lengths"], batch["n_words"], batch["source"], strict=True):
        yield batch["sources"][src], blob[start:start + length], words
        start += length


def _short(text: str) -> str:
    return repr(text if len(text) <= 70 else text[:70] + "…")


def _differences(corpus: SmallCorpus, got: Counter[Record], malformed: int, example: str,
                 stopped: bool) -> list[str]:
    """The differences between what was yielded and what was expected, in words a learner can act on."""
    problems: list[str] = []
    expected = corpus.expected
    if malformed:
        problems.append(f"{malformed} record(s) without exactly the columns text (str), n_words (int) and source "
                        f"(str), e.g. {example}")
    if stopped:
        problems.append("the dataset went on yielding after more than twice the expected records: reading stopped")
    missing = expected - got
    unexpected = got - expected
    if missing:
        partial = sum(n for (src, text, _), n in missing.items() if (src, text) in corpus.last_partial)
        if partial == len(corpus.last_partial) and partial * 2 >= sum(missing.values()):
            problems.append(f"the last line of each file without a final newline is missing ({partial} files)")
        shown = "; ".join(f"{_short(text)} from {src}" for (src, text, _) in list(missing)[:SHOWN])
        problems.append(f"{sum(missing.values())} expected record(s) not yielded, e.g. {shown}")
    if unexpected:
        keys = {(src, text) for src, text, _ in expected}
        hints: list[str] = []
        for src, text, n in unexpected:
            if src not in corpus.files:
                hint = f"source {src!r} is not the name of a .txt file directly in the folder"
            elif text != " ".join(text.split()):
                hint = "text is not whitespace-normalised (one space between words, none at the ends)"
            elif len(text.split()) < MIN_WORDS:
                hint = f"lines of fewer than {MIN_WORDS} words are kept (blank ones included)"
            elif (src, text) in keys and n != len(text.split()):
                hint = "n_words is not the number of words of text"
            elif got[(src, text, n)] > 1 and expected.get((src, text, n)):
                hint = "records are yielded more than once"
            else:
                continue
            if hint not in hints:
                hints.append(hint)
        shown = "; ".join(f"{_short(text)} (n_words={n}) from {src}" for (src, text, n) in list(unexpected)[:SHOWN])
        problems.append(f"{sum(unexpected.values())} record(s) yielded that are not in the corpus"
                        + (f" — {'; '.join(hints)}" if hints else "") + f", e.g. {shown}")
    return problems


def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    job = expect(args, DatasetJob, what="the dataset kind's job")
    fn = f"{job['module']}:{job['function']}"
    worker.load(fn)
    here = Path.cwd()

    # Stage 1: the small corpus, every record compared.
    small = write_small(here / "corpus-small", job["seed"])
    _open(worker, fn, small.folder)
    got: Counter[Record] = Counter()
    malformed, example = 0, ""
    limit = 2 * sum(small.expected.values()) + 1000
    yielded = 0
    for batch, _ in _batches(worker, limit):
        malformed += batch["malformed"]
        example = example or batch["example"]
        for src, text, n in _records(batch):
            got[(src, text.decode("utf-8", "replace"), n)] += 1
        yielded += len(batch["lengths"]) + batch["malformed"]
    stopped = yielded > limit
    small_matched = sum((got & small.expected).values())
    small_unexpected = sum(got.values()) - small_matched + malformed
    problems = _differences(small, got, malformed, example, stopped)
    report = DatasetReport(
        small_bytes=small.bytes, small_expected=sum(small.expected.values()), small_matched=small_matched,
        small_unexpected=small_unexpected, problems=problems, large_measured=False, large_bytes=0, large_files=0,
        largest_file=0, large_expected=0, large_matched=0, large_unexpected=0, peak_extra=0, peak_rss=0,
        memory_method="", seconds=0.0, stopped_at=0)
    if problems:
        channel.result(**report)
        return

    # Stage 2: the large corpus. The memory window opens before the corpus is written, so nothing
    # the worker does with it — a thread left behind by stage 1 included — happens outside it.
    worker.adapter("graders.worker:collect_garbage", returns=int)
    received: Counter[int] = Counter()
    malformed, example, yielded, read, stopped_at = 0, "", 0, 0, 0
    stop_above = job["stop_above"]
    with worker.memory() as peak:
        large = write_large(here / "corpus-large", job["seed"], job["large_bytes"])
        limit = 2 * large.count + 1000
        seconds = _open(worker, fn, large.folder)
        over = stop_above and worker.rss_bytes() - peak.baseline_bytes > stop_above
        for batch, took in ([] if over else _batches(worker, limit)):
            seconds += took
            malformed += batch["malformed"]
            example = example or batch["example"]
            for src, text, n in _records(batch):
                received[digest(src, text, n)] += 1
            yielded += len(batch["lengths"]) + batch["malformed"]
            read += batch["text"].shape[0]
            if stop_above and worker.rss_bytes() - peak.baseline_bytes > stop_above:
                over = True
                break
        if over:
            stopped_at = max(read, 1)
    report.update({"large_measured": True, "large_bytes": large.bytes, "large_files": large.files,
                   "largest_file": large.largest_file, "large_expected": large.count, "peak_extra": peak.extra_bytes,
                   "peak_rss": peak.peak_bytes, "memory_method": peak.method, "seconds": seconds,
                   "stopped_at": stopped_at})
    if stopped_at:  # the records of a corpus not read to the end are not counted
        channel.result(**report)
        return
    large_matched = sum((received & large.digests).values())
    large_unexpected = sum(received.values()) - large_matched + malformed
    if malformed:
        problems.append(f"large corpus: {malformed} record(s) without exactly the columns text, n_words and "
                        f"source, e.g. {example}")
    if yielded > limit:
        problems.append("large corpus: the dataset went on yielding after more than twice the expected records: "
                        "reading stopped")
    if large_matched < large.count:
        problems.append(f"large corpus: {large.count - large_matched} of {large.count} expected record(s) not "
                        "yielded")
    if large_unexpected > malformed:
        problems.append(f"large corpus: {large_unexpected - malformed} record(s) yielded that are not in it")
    report.update({"problems": problems, "large_matched": large_matched, "large_unexpected": large_unexpected})
    channel.result(**report)
