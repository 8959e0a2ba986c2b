"""perplexity(): the exact definition graders rely on (see graders/tinymodels/metrics.py)."""

from __future__ import annotations

import math

import pytest

from graders.tinymodels import BuiltModel, corpus_texts, perplexity
from graders.tinymodels.metrics import _windows, token_nll

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def model_and_tok(built_test_model: BuiltModel):  # type: ignore[no-untyped-def]
    return built_test_model.load_model(), built_test_model.load_tokenizer()


def test_windows_predict_every_token_once() -> None:
    ids = list(range(23))
    for max_length in (2, 3, 5, 22, 23, 100):
        windows = _windows(ids, max_length)
        assert all(1 < len(w) <= max_length for w in windows)
        targets = [t for w in windows for t in w[1:]]
        assert targets == ids[1:], max_length


def test_matches_build_metrics(built_test_model: BuiltModel, model_and_tok) -> None:  # type: ignore[no-untyped-def]
    model, tok = model_and_tok
    recipe = built_test_model.recipe
    texts = corpus_texts("general", "valid", recipe.eval_docs, seed=recipe.corpus_seed)
    torch.set_num_threads(recipe.num_threads)
    value = perplexity(model, tok, texts, max_length=recipe.eval_max_length, batch_size=recipe.eval_batch_size)
    assert value == pytest.approx(built_test_model.metrics["general_valid_ppl"], rel=1e-5)


def test_counts_every_token_plus_eos_and_ignores_padding(model_and_tok) -> None:  # type: ignore[no-untyped-def]
    model, tok = model_and_tok
    texts = corpus_texts("faq", "valid", 40)
    nll, count = token_nll(model, tok, texts, batch_size=8)
    assert count == sum(len(tok(t, add_special_tokens=False).input_ids) + 1 for t in texts)
    # Padding must not change anything: one text per batch (no padding) vs mixed lengths.
    alone = perplexity(model, tok, texts, batch_size=1)
    assert perplexity(model, tok, texts, batch_size=40) == pytest.approx(alone, rel=1e-4)
    assert math.exp(nll / count) == pytest.approx(alone, rel=1e-4)
    # Short windows lose context, so perplexity rises, but every token is still counted once.
    assert token_nll(model, tok, texts, max_length=16)[1] == count
    assert perplexity(model, tok, texts, max_length=16) > alone


def test_zeroed_model_is_exactly_uniform(built_test_model: BuiltModel) -> None:
    model, tok = built_test_model.load_model(), built_test_model.load_tokenizer()
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    # All-zero weights give all-zero logits: a uniform guess over the vocabulary.
    assert perplexity(model, tok, corpus_texts("faq", "valid", 20)) == pytest.approx(len(tok), rel=1e-6)


def test_nan_model_is_inf_not_nan(built_test_model: BuiltModel) -> None:
    model, tok = built_test_model.load_model(), built_test_model.load_tokenizer()
    with torch.no_grad():
        model.lm_head.weight.fill_(float("nan"))
    assert perplexity(model, tok, ["Hello there."]) == math.inf


def test_restores_training_mode_and_rejects_empty(model_and_tok) -> None:  # type: ignore[no-untyped-def]
    model, tok = model_and_tok
    model.train()
    perplexity(model, tok, ["One morning, a cat went to the park."])
    assert model.training
    model.eval()
    with pytest.raises(ValueError):
        perplexity(model, tok, [])


@pytest.mark.parametrize("kind", ["int8", "nf4"])
def test_test_recipe_quantizes_with_bitsandbytes_on_cpu(built_test_model: BuiltModel, kind: str) -> None:
    # TEST_RECIPE's widths are multiples of 64 so bitsandbytes' 4-bit CPU kernels accept them:
    # quantization graders can test against it.
    pytest.importorskip("bitsandbytes")
    import warnings

    from graders.tinymodels.feasibility import _quantize

    model, tok = built_test_model.load_model(), built_test_model.load_tokenizer()
    texts = corpus_texts("general", "hidden", 50)
    base = perplexity(model, tok, texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantized = perplexity(_quantize(model, kind), tok, texts)
    assert quantized == pytest.approx(base, rel=0.05)
