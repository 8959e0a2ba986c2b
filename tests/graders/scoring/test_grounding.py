"""The groundedness checker on labelled cases: quotations and rewordings supported, swapped names,
numbers and unrelated claims not; the semantic branch used only past the key-token gate."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from graders.scoring.grounding import content_tokens, groundedness, key_tokens, sentences, supported

PASSAGE = ("Ada Vrennick", "Ada Vrennick was born in Tarsk in 1821. She moved to Quellin in 1850, where she opened "
           "a glassworks. Her FC-4326 barometer warns sailors of approaching storms.")

# (answer sentence, supported by PASSAGE?) — labelled by hand.
LABELLED = [
    ("Ada Vrennick was born in Tarsk in 1821.", True),                   # quotation
    ("Vrennick was born in Tarsk.", True),                               # shortened
    ("In 1850 Ada Vrennick moved to Quellin.", True),                    # reordered
    ("Ada Vrennick was born in Quellin in 1821.", False),                # swapped town (stitched from two facts)
    ("Ada Vrennick opened a glassworks in Quellin.", True),              # the title names the "she"
    ("Ada Vrennick was born in Tarsk in 1822.", False),                  # swapped year
    ("The FC-4362 barometer warns sailors of approaching storms.", False),  # wrong code of the family
    ("Ada Vrennick painted portraits of farmers.", False),               # unrelated claim, real name
    ("Bruno Kessel founded a bakery.", False),                           # nothing of the passage
]


@pytest.mark.parametrize(("sentence", "label"), LABELLED)
def test_lexical_checker_agrees_with_the_labels(sentence: str, label: bool) -> None:
    assert supported(sentence, PASSAGE) is label


def test_a_paraphrase_needs_the_semantic_branch_and_passes_the_key_token_gate() -> None:
    paraphrase = "The FC-4326 tells seafarers that bad weather is coming."
    calls: list[Sequence[str]] = []

    def embed(texts: Sequence[str]) -> list[list[float]]:  # the paraphrase is "close" to the third sentence
        calls.append(texts)
        return [[1.0, 0.0] if i == 0 or "storms" in t else [0.0, 1.0] for i, t in enumerate(texts)]

    assert not supported(paraphrase, PASSAGE)  # lexical branch alone: too few shared words
    assert supported(paraphrase, PASSAGE, embed)
    assert calls and calls[0][0] == paraphrase


def test_the_semantic_branch_never_rescues_a_swapped_name() -> None:
    def embed_everything_alike(texts: Sequence[str]) -> list[list[float]]:
        return [[1.0, 0.0] for _ in texts]

    assert not supported("Ada Vrennick was born in Quellin in 1821.", PASSAGE, embed_everything_alike)


def test_groundedness_is_the_share_of_supported_sentences_over_cited_passages() -> None:
    answer = "Ada Vrennick was born in Tarsk in 1821. She later ran a bakery in Pellingford."
    assert groundedness(answer, [PASSAGE]) == pytest.approx(0.5)
    assert groundedness(answer, []) == 0.0  # nothing cited supports nothing
    assert groundedness(answer, ["An unrelated passage about Pellingford bakeries."]) == 0.0
    assert groundedness("Ada Vrennick was born in Tarsk.", [PASSAGE[1]]) == 1.0  # a bare text is a passage too


def test_an_answer_without_a_content_sentence_grounds_nothing() -> None:
    assert groundedness("", [PASSAGE]) == 0.0
    assert groundedness("Yes. It is.", [PASSAGE]) == 0.0


def test_sentence_and_token_rules() -> None:
    assert sentences("One. Two!  Three? four") == ["One.", "Two!", "Three?", "four"]
    assert key_tokens("The FC-4326 of Vrennick was made in 1850.") == {"fc", "4326", "vrennick", "1850"}
    assert content_tokens("It was in the town.") == ["town"]
