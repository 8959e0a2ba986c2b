"""Kind ``tokenizer`` on bpe-tokenizer: golden verdicts; hidden chats from the seed with characters
training never shows; the evaluation of a saved tokenizer.json, and what it says when one is wrong."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from graders.kinds._chats import RARE
from graders.kinds.tokenizer import _file_problem
from graders.kinds.tokenizer_measure import _special_problems, evaluate, hidden_chats, training_files
from tests.graders.kinds.golden import assert_golden

SPECIALS = ["<pad>", "<s>", "</s>", "<user>", "<bot>"]


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_bpe_tokenizer_verdicts_match_golden() -> None:
    verdicts = assert_golden("bpe-tokenizer")
    assert verdicts["reference"]["status"] == "pass"
    assert verdicts["starter"]["status"] == "fail"
    assert verdicts["cheat-lowercase"]["checks"]["roundtrip"] == "fail"
    assert verdicts["cheat-char-wordlevel"]["checks"]["unknown_tokens"] == "fail"
    assert len([n for n in verdicts if n.startswith("cheat")]) >= 7


def test_hidden_chats_come_from_the_seed_with_characters_training_never_shows(tmp_path: Path) -> None:
    a, a2, b = hidden_chats(1, 300), hidden_chats(1, 300), hidden_chats(2, 300)
    assert a == a2 and a != b
    paths, size = training_files(tmp_path, 1, 2, 300)
    raw = b"".join(Path(p).read_bytes() for p in paths)
    assert size == len(raw)
    training = raw.decode("utf-8")
    assert not any(rare in training for rare in RARE)
    hidden = "".join(a)
    assert any(rare in hidden for rare in RARE)
    assert any(ch.isupper() for ch in hidden) and "\r\n" in hidden + training and "https://" in hidden


def _train(files: list[str], path: Path, *, lowercase: bool = False, specials: list[str] = SPECIALS) -> None:
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    if lowercase:
        tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train(files, trainers.BpeTrainer(vocab_size=600, special_tokens=specials, show_progress=False,
                                         initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.save(str(path))


class _Channel:
    def __init__(self) -> None:
        self.report: dict[str, Any] = {}

    def result(self, **data: Any) -> None:
        self.report = data


def _evaluate(path: Path) -> dict[str, Any]:
    channel = _Channel()
    evaluate({"seed": 5, "path": str(path), "vocab_size": 600, "special_tokens": SPECIALS, "hidden_messages": 100},
             channel)  # type: ignore[arg-type]
    return channel.report


def test_a_byte_level_bpe_round_trips_unseen_characters_and_a_lowercasing_one_does_not(tmp_path: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    files, _ = training_files(tmp_path / "corpus", 3, 1, 400)
    _train(files, tmp_path / "good.json")
    _train(files, tmp_path / "lower.json", lowercase=True)
    good, lower = _evaluate(tmp_path / "good.json"), _evaluate(tmp_path / "lower.json")
    assert good["roundtrip_ok"] == good["messages"] == 100 and good["unknown"] == 0
    assert good["vocab_size"] == 600 and good["missing_special"] == [] and good["transformers_ok"]
    assert good["tokens"] < good["utf8_bytes"]  # merges: fewer tokens than bytes
    assert lower["roundtrip_ok"] < 100 and "came back as" in lower["first_difference"]


def test_a_special_token_that_is_not_declared_special_is_named(tmp_path: Path) -> None:
    files, _ = training_files(tmp_path / "corpus", 3, 1, 100)
    _train(files, tmp_path / "t.json", specials=SPECIALS[:4])
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tmp_path / "t.json"))
    import json

    data = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert _special_problems(tok, data, SPECIALS) == ["<bot>"]


def test_a_missing_tokenizer_json_says_how_to_save_it(tmp_path: Path) -> None:
    problem = _file_problem(tmp_path / "tokenizer.json", ["merges.txt", "vocab.json"])
    assert problem is not None
    assert "merges.txt, vocab.json" in problem and "tokenizer.save(" in problem
    (tmp_path / "tokenizer.json").write_text("{}", encoding="utf-8")
    assert _file_problem(tmp_path / "tokenizer.json", ["tokenizer.json"]) is None
