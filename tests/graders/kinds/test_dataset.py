"""Kind ``dataset`` on streaming-dataset: golden verdicts; the README's record rules as code; the
corpora drawn from the seed, with their traps; the large corpus's fingerprints match its lines."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from graders.kinds.dataset_corpus import digest, records_of, write_large, write_small
from tests.graders.kinds.golden import assert_golden


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_streaming_dataset_verdicts_match_golden() -> None:
    verdicts = assert_golden("streaming-dataset")
    assert verdicts["reference"]["checks"] == {"records": "pass", "peak_memory": "pass"}
    assert verdicts["starter"]["status"] == "fail"
    assert verdicts["cheat-eager-list"]["checks"]["peak_memory"] == "fail"
    assert verdicts["cheat-no-filter"]["checks"]["records"] == "fail"


def test_records_follow_the_readme_rules() -> None:
    content = "раз  два\tтри\r\n\n  \u00a0 \nодин два\nкофе☕ в\u2009офисе 😀"
    assert records_of(content, "a.txt") == [("a.txt", "раз два три", 3), ("a.txt", "кофе☕ в офисе 😀", 4)]
    assert records_of("", "e.txt") == []
    assert records_of("a b c\n", "f.txt") == records_of("a b c", "f.txt") == [("f.txt", "a b c", 3)]


def test_the_small_corpus_comes_from_the_seed_with_every_trap(tmp_path: Path) -> None:
    a, a2, b = (write_small(tmp_path / name, seed) for name, seed in (("a", 1), ("a2", 1), ("b", 2)))
    assert a.expected == a2.expected and a.expected != b.expected
    names = {p.name for p in a.folder.iterdir()}
    assert {"empty.txt", "Маша и Петя.txt", "README.md", "old"} <= names
    assert a.files == {n for n in names if n.endswith(".txt")}
    raw = b"".join((a.folder / n).read_bytes() for n in a.files)
    assert b"\r\n" in raw and "\u00a0".encode() in raw and a.last_partial
    for src, text in a.last_partial:  # a file's last line without a newline is still a record
        assert any(s == src and t == text for s, t, _ in a.expected)


def test_the_large_corpus_fingerprints_are_its_records(tmp_path: Path) -> None:
    corpus = write_large(tmp_path / "large", 3, 2 << 20)
    found: Counter[int] = Counter()
    for path in corpus.folder.iterdir():
        for src, text, n in records_of(path.read_bytes().decode("utf-8"), path.name):
            found[digest(src, text.encode("utf-8"), n)] += 1
    assert found == corpus.digests and corpus.count == sum(found.values()) > 100
    assert corpus.files == 20 and corpus.largest_file >= 0.35 * corpus.bytes
