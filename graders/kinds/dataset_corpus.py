"""The corpora of kind ``dataset``: folders of ``.txt`` chat logs written per run, and their records.

A *record* is what the learner's streaming loader must yield for one kept line (the exercise's
README is the specification; :func:`records_of` is its executable form):

* every ``*.txt`` file directly in the folder (other files and subfolders are ignored), UTF-8;
* lines end at ``\\n`` (a ``\\r`` before it is part of the line ending); the last line counts even
  without a final newline;
* ``text`` — the line with every run of whitespace (``str.split()``'s: spaces, tabs, NBSP, thin and
  ideographic spaces) made one space, none at either end;
* lines of fewer than :data:`MIN_WORDS` words (blank ones included) are dropped;
* ``n_words`` — the number of words of ``text``; ``source`` — the file's name.

Two corpora per run, both drawn from the run's seed (:mod:`graders.kinds._chats` text):

* :func:`write_small` — about 40 files and 1–2 MB, every trap at once: files of very uneven sizes,
  one far larger than the rest, an empty file and one of blank lines only, CRLF files, files
  without a final newline, Cyrillic and spaces in file names, non-``.txt`` files and a subfolder
  to ignore, blank, whitespace-only and one- or two-word lines, whitespace runs of every kind.
  Its expected records are computed by :func:`records_of` from the text written.
* :func:`write_large` — ``size_bytes`` of the same kind of text in about 20 files (one holding 40 %
  of it, two empty), written at disk speed: each line joins pre-rendered messages of a per-run
  pool, so the clean text of every line is known as it is written. Its expected records are kept as
  :func:`digest` values only (a record's 64-bit BLAKE2b), a few bytes each.

Standard library only: the trusted measurer imports this, and it must start fast.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from graders.kinds._chats import WHITESPACE, ChatWriter

__all__ = ["MIN_WORDS", "LargeCorpus", "Record", "SmallCorpus", "digest", "records_of", "write_large", "write_small"]

MIN_WORDS = 3
Record = tuple[str, str, int]  # (source, text, n_words)


def records_of(content: str, source: str) -> list[Record]:
    """The records of one file whose decoded text is ``content`` (the README's rules, executable)."""
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it does not start another
    out: list[Record] = []
    for line in lines:
        words = line.split()  # whitespace as str.split() sees it; a trailing "\r" is whitespace
        if len(words) >= MIN_WORDS:
            out.append((source, " ".join(words), len(words)))
    return out


def digest(source: str, text: bytes, n_words: int) -> int:
    """A record's 64-bit fingerprint: BLAKE2b over its three columns (``text`` as UTF-8 bytes)."""
    h = hashlib.blake2b(digest_size=8)
    h.update(b"%d\x00" % n_words)
    h.update(source.encode("utf-8", "surrogatepass") + b"\x00")
    h.update(text)
    return int.from_bytes(h.digest(), "little")


@dataclass
class SmallCorpus:
    folder: Path
    expected: Counter[Record]
    #: the names of the dataset's files (every .txt file directly in the folder)
    files: set[str] = field(default_factory=set)
    #: (source, text) of each file's last line when the file has no final newline
    last_partial: set[tuple[str, str]] = field(default_factory=set)
    bytes: int = 0


@dataclass
class LargeCorpus:
    folder: Path
    digests: Counter[int]
    count: int = 0
    bytes: int = 0
    files: int = 0
    largest_file: int = 0


def _noisy(rng: random.Random, tokens: list[str]) -> str:
    """``tokens`` joined by whitespace runs of every kind (mostly one space)."""
    parts = [tokens[0]]
    for tok in tokens[1:]:
        parts.append(" " if rng.random() < 0.7 else rng.choice(WHITESPACE))
        parts.append(tok)
    return "".join(parts)


def write_small(folder: Path, seed: int) -> SmallCorpus:
    """Write the run's small corpus into ``folder`` (created) and return what a loader must yield."""
    rng = random.Random(f"dataset-small-{seed}")
    writer = ChatWriter(f"dataset-small-text-{seed}")
    folder.mkdir(parents=True, exist_ok=True)
    corpus = SmallCorpus(folder, Counter())
    ids = rng.sample(range(1, 10_000), 32)
    names = [f"chat-{i:04d}.txt" for i in ids] + ["Маша и Петя.txt", "общий чат.txt", "export-full.txt",
                                                  "empty.txt", "blank-lines.txt"]
    for name in names:
        crlf = rng.random() < 0.35
        final_newline = rng.random() < 0.5
        if name == "empty.txt":
            content = ""
        elif name == "blank-lines.txt":
            content = "\n\n \t\n\u00a0\n" + ("\r\n" if crlf else "\n")
        else:
            n_lines = 6000 if name == "export-full.txt" else max(1, int(rng.lognormvariate(3.6, 1.1)))
            lines = []
            for _ in range(n_lines):
                r = rng.random()
                if r < 0.07:
                    lines.append("")
                elif r < 0.11:
                    lines.append(rng.choice(WHITESPACE) * rng.randrange(1, 3))
                elif r < 0.17:
                    lines.append(_noisy(rng, writer.tokens()[:rng.randrange(1, 3)]))  # one or two words: dropped
                else:
                    line = _noisy(rng, writer.tokens())
                    if rng.random() < 0.1:
                        line = rng.choice(WHITESPACE) + line
                    if rng.random() < 0.15:
                        line += rng.choice(WHITESPACE)
                    lines.append(line)
            if not final_newline:  # the last line of the file, without "\n": always one to keep
                tokens = writer.tokens()
                while len(tokens) < MIN_WORDS:
                    tokens = writer.tokens()
                lines[-1] = _noisy(rng, tokens)
                corpus.last_partial.add((name, " ".join(tokens)))
            content = ("\r\n" if crlf else "\n").join(lines) + (("\r\n" if crlf else "\n") if final_newline else "")
        data = content.encode("utf-8")
        (folder / name).write_bytes(data)
        corpus.files.add(name)
        corpus.bytes += len(data)
        corpus.expected.update(records_of(content, name))
    # Not part of the dataset: other extensions, a backup, and a subfolder.
    (folder / "README.md").write_text("# Chat export\n\nOne message per line.\n", encoding="utf-8")
    (folder / "notes.csv").write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    (folder / f"chat-{ids[0]:04d}.txt.bak").write_text("старая копия этого файла здесь\n", encoding="utf-8")
    (folder / "old").mkdir(exist_ok=True)
    (folder / "old" / "chat-0000.txt").write_text("архив прошлого года не нужен\n", encoding="utf-8")
    return corpus


_POOL = 3000  # messages per run in the large corpus's pool
_WRITE_CHUNK = 8 << 20


def write_large(folder: Path, seed: int, size_bytes: int) -> LargeCorpus:
    """Write about ``size_bytes`` of chat lines into ``folder`` (created); return the expected
    records' digests. Lines are 16–64 pooled messages long (≈ 3.5 KB), a few are blank, whitespace
    or too short; one file holds 40 % of the bytes, two are empty, a third are CRLF, half end
    without a final newline (their last line is always one to keep)."""
    rng = random.Random(f"dataset-large-{seed}")
    writer = ChatWriter(f"dataset-large-text-{seed}")
    folder.mkdir(parents=True, exist_ok=True)
    pool = [writer.tokens() for _ in range(_POOL)]
    clean = [" ".join(t).encode("utf-8") for t in pool]
    words = [len(t) for t in pool]
    # Two renderings of each message, each ending in whitespace: piece i is message i >> 1. Bytes
    # throughout, so a line costs two joins and no encoding.
    pieces = [(_noisy(rng, t) + (" " if rng.random() < 0.6 else rng.choice(WHITESPACE))).encode("utf-8")
              for t in pool for _ in (0, 1)]
    junk = [b"", b" ", b"\t", "\u00a0 ".encode(), *(_noisy(rng, t[:2]).encode("utf-8") for t in pool[:50])]
    long_tokens = [t for t in pool if len(t) >= MIN_WORDS]
    n_files = 20
    weights = [rng.lognormvariate(0.0, 0.8) for _ in range(n_files - 3)]
    shares = [0.4, 0.0, 0.0] + [0.6 * w / sum(weights) for w in weights]
    corpus = LargeCorpus(folder, Counter())
    n_pieces = len(pieces)
    for index, share in enumerate(shares):
        name = f"part-{index:03d}.txt" if index else "part-big.txt"
        target = int(size_bytes * share)
        newline = b"\r\n" if rng.random() < 0.35 else b"\n"
        final_newline = rng.random() < 0.5
        written = 0
        with open(folder / name, "wb") as f:
            chunk: list[bytes] = []
            chunk_bytes = 0
            while written + chunk_bytes < target:
                if rng.random() < 0.06:
                    chunk.append(rng.choice(junk))
                    continue
                ids = [int(rng.random() * n_pieces) for _ in range(rng.randrange(16, 65))]
                line = b"".join([pieces[i] for i in ids])
                text = b" ".join([clean[i >> 1] for i in ids])
                corpus.digests[digest(name, text, sum([words[i >> 1] for i in ids]))] += 1
                chunk.append(line)
                chunk_bytes += len(line) + len(newline)
                if chunk_bytes >= _WRITE_CHUNK:
                    f.write(newline.join(chunk) + newline)
                    written += chunk_bytes
                    chunk, chunk_bytes = [], 0
            if share and not final_newline:
                tokens = rng.choice(long_tokens)
                corpus.digests[digest(name, " ".join(tokens).encode("utf-8"), len(tokens))] += 1
                chunk.append(_noisy(rng, tokens).encode("utf-8"))  # the last line, with no newline after it
                data = newline.join(chunk)
            else:
                data = newline.join(chunk) + newline if chunk else b""
            f.write(data)
            written += len(data)
        corpus.bytes += written
        corpus.files += 1
        corpus.largest_file = max(corpus.largest_file, written)
    corpus.count = sum(corpus.digests.values())
    return corpus
