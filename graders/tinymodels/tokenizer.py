"""A byte-level BPE tokenizer trained on the general corpus, wrapped for ``transformers``.

Byte-level means no unknown tokens: any UTF-8 text (the FAQ's ``$`` and ``>``, Cyrillic, emoji)
encodes losslessly, so perplexity on a new domain is always defined. Special tokens, in this
order so their ids are fixed: ``<pad>`` = 0, ``<s>`` = 1 (bos), ``</s>`` = 2 (eos).

Encoding with ``add_special_tokens=True`` (the default of ``tokenizer(text)``) prepends ``<s>``,
as Llama tokenizers do; it never appends ``</s>``, so a prompt can be continued by generation.
Training text and :func:`graders.tinymodels.metrics.perplexity` add ``</s>`` explicitly.

Training is deterministic: ``tokenizers``' BPE trainer breaks ties by pair order, and we checked
that repeated builds (and ``RAYON_NUM_THREADS=1``) give an identical ``tokenizer.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

__all__ = ["BOS", "EOS", "PAD", "SPECIAL_TOKENS", "load_tokenizer", "train_tokenizer"]

PAD, BOS, EOS = "<pad>", "<s>", "</s>"
SPECIAL_TOKENS = (PAD, BOS, EOS)


def train_tokenizer(texts: Sequence[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE with at most ``vocab_size`` tokens on ``texts`` (about a second)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    # add_prefix_space=False: "Q:" at the start of a text and " Q:" inside it are different
    # tokens, exactly as in GPT-2/Llama-3 style tokenizers.
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # all 256 bytes, seen or not
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer, length=len(texts))
    bos_id = tok.token_to_id(BOS)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)]
    )
    return PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        padding_side="right",
        model_max_length=1_000_000,  # no silent truncation; callers pass max_length
        clean_up_tokenization_spaces=False,  # decode(encode(x)) == x
    )


def load_tokenizer(path: str | Path) -> PreTrainedTokenizerFast:
    """Load a tokenizer saved with ``save_pretrained`` from a local folder (never the hub)."""
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast.from_pretrained(str(path), local_files_only=True)  # type: ignore[no-any-return]
