"""Kind ``vector-index`` on vector-search: golden verdicts; the world drawn from the seed, with each
fact's key once in the corpus and on its page of its PDF; the synthetic vectors; what the measurer
says when ``search``/``search_vectors`` return the wrong shape, and when a saved index cannot be copied."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from graders.faults import LearnerFault
from graders.kinds.vector_index import _copy_index
from graders.kinds.vector_index_measure import _ids, _passages
from graders.kinds.vector_index_world import normalise, questions, vectors, world, write_pdfs
from graders.wire import Array
from tests.graders.kinds.golden import assert_golden


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_vector_search_verdicts_match_golden() -> None:
    verdicts = assert_golden("vector-search")
    assert verdicts["reference"]["status"] == "pass"
    assert verdicts["starter"]["status"] == "fail"
    assert verdicts["cheat-flat-index"]["checks"]["index_bytes_ratio"] == "fail"
    assert verdicts["cheat-ignores-pages"]["checks"] == {
        "recall_at_5": "pass", "source_page": "fail", "recall_at_10": "pass", "index_bytes_ratio": "pass"}
    assert verdicts["cheat-no-chunking"]["checks"]["recall_at_5"] == "fail"
    assert len([n for n in verdicts if n.startswith("cheat")]) >= 7


def test_the_world_comes_from_the_seed_and_every_key_is_unique_in_the_corpus() -> None:
    a, a2, b = world(3, 12), world(3, 12), world(4, 12)
    assert [d.facts for d in a] == [d.facts for d in a2] and [d.town for d in a] != [d.town for d in b]
    corpus = normalise(" ".join(block.text + " " + " ".join(f"{x} {y}" for x, y in block.rows)
                                for doc in a for page in doc.pages for block in page))
    for fact in (f for doc in a for f in doc.facts):
        assert corpus.count(normalise(fact.key)) == 1, fact.key
        assert fact.doc.startswith("doc-") and fact.page >= 1
    assert any(block.kind == "table" for doc in a for page in doc.pages for block in page)
    assert any(block.kind == "columns" for doc in a for page in doc.pages for block in page)


def test_questions_visit_every_guide_before_asking_one_twice() -> None:
    docs = world(5, 10)
    asked = questions(5, docs, 25)
    assert len(asked) == 25 and len(set(map(id, asked))) == 25
    assert {f.doc for f in asked[:10]} == {d.name for d in docs}
    assert questions(5, docs, 25) == asked


def test_each_key_is_printed_on_its_page_of_its_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader

    docs = world(7, 4)
    write_pdfs(docs, tmp_path)
    for doc in docs:
        pages = [normalise(p.extract_text()) for p in PdfReader(tmp_path / doc.name).pages]
        assert len(pages) == len(doc.pages)
        for fact in doc.facts:
            holding = [i + 1 for i, text in enumerate(pages) if normalise(fact.key) in text]
            assert holding == [fact.page], (doc.name, fact.key, holding)


def test_the_vectors_are_unit_length_and_drawn_from_the_seed() -> None:
    x, q = vectors(1, 2000, 20)
    x2, _ = vectors(1, 2000, 20)
    assert x.shape == (2000, 384) and q.shape == (20, 384) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5) and np.array_equal(x, x2)
    assert not np.array_equal(x, vectors(2, 2000, 20)[0])


def test_search_results_must_be_passages_with_a_source_and_an_int_page() -> None:
    good = [{"text": "a", "source": "doc-000.pdf", "page": 2, "score": 0.5}]
    assert _passages(good) == good
    for bad, said in (("text", "got a str"), ([("a", "b", 1)], "item 0 is a tuple"),
                      ([{"text": "a", "page": 1}], "item 0 has no str 'text' and 'source'"),
                      ([{"text": "a", "source": "d.pdf", "page": "1"}], "page='1', not an int"),
                      ([{"text": "a", "source": "d.pdf", "page": True}], "page=True, not an int")):
        with pytest.raises(LearnerFault, match="search\\(\\) must return a list of passages") as caught:
            _passages(bad)
        assert said in str(caught.value)


def test_vector_ids_are_read_from_int_arrays_or_lists_and_floats_are_refused() -> None:
    assert _ids(Array.from_numpy(np.array([[4, 5, 6]], dtype=np.int64)), 2) == [4, 5]
    assert _ids([[1, 2, 3]], 3) == [1, 2, 3] and _ids([7, 8], 5) == [7, 8]
    with pytest.raises(LearnerFault, match="float32: return integer row ids"):
        _ids(Array.from_numpy(np.zeros((1, 3), dtype=np.float32)), 3)
    with pytest.raises(LearnerFault, match="integer row ids"):
        _ids([1.0, 2.0], 2)
    with pytest.raises(LearnerFault, match="returned dict"):
        _ids({"ids": [1]}, 1)


def test_a_missing_or_dangling_index_folder_is_named(tmp_path: Path) -> None:
    said = _copy_index(tmp_path / "index", tmp_path / "copy")
    assert said is not None and "index/ is gone after building" in said
    (tmp_path / "index").mkdir()
    os.symlink(tmp_path / "nowhere", tmp_path / "index" / "passages.json")
    said = _copy_index(tmp_path / "index", tmp_path / "copy")
    assert said is not None and "cannot be copied" in said
    (tmp_path / "index" / "passages.json").unlink()
    (tmp_path / "index" / "passages.json").write_text("[]", encoding="utf-8")
    assert _copy_index(tmp_path / "index", tmp_path / "copy2") is None
    assert (tmp_path / "copy2" / "passages.json").read_text(encoding="utf-8") == "[]"
