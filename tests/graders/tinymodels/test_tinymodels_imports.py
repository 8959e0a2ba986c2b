"""Importing the kit is free: no torch, transformers, tokenizers or numpy until a build runs."""

from __future__ import annotations

import graders.tinymodels as tm

from .conftest import run_python


def test_import_pulls_in_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "import graders.tinymodels, graders.tinymodels.__main__\n"
        "from graders.tinymodels import corpus_texts, DEFAULT_RECIPE, cache_dir\n"
        "corpus_texts('faq', 'valid', 10); DEFAULT_RECIPE.digest(); cache_dir()\n"
        "heavy = {'torch', 'transformers', 'tokenizers', 'numpy', 'peft', 'safetensors'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_public_api_is_sorted_and_complete() -> None:
    assert tm.__all__ == sorted(tm.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    for name in tm.__all__:
        assert getattr(tm, name) is not None
        assert name in (tm.__doc__ or "")
