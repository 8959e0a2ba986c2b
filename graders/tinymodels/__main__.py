"""``python -m graders.tinymodels build [--encoder] [--recipe-json FILE | --test] [--json]``; ``… where``.

``--encoder`` builds the tiny BERT (graders.tinymodels.encoder) instead of the tiny Llama.

argparse rather than typer: this entry point must start fast and import nothing heavy until a
build actually runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from graders.tinymodels.build import build
from graders.tinymodels.cache import cache_dir, entry_summary
from graders.tinymodels.encoder import (
    DEFAULT_ENCODER_RECIPE,
    TEST_ENCODER_RECIPE,
    EncoderRecipe,
    build_encoder,
    encoder_cache_key,
)
from graders.tinymodels.recipe import DEFAULT_RECIPE, TEST_RECIPE, Recipe, cache_key


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m graders.tinymodels", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the tiny model (or report the cached one)")
    which = b.add_mutually_exclusive_group()
    which.add_argument("--recipe-json", type=Path, help="JSON object of Recipe fields to override")
    which.add_argument("--test", action="store_true", help="the small TEST_RECIPE (seconds)")
    b.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    b.add_argument("--encoder", action="store_true", help="the tiny BERT encoder instead of the tiny Llama")
    w = sub.add_parser("where", help="print the cache folder and the default entry's key")
    w.add_argument("--test", action="store_true")
    w.add_argument("--encoder", action="store_true")
    return parser.parse_args(argv)


def _recipe(args: argparse.Namespace) -> Recipe | EncoderRecipe:
    if args.encoder:
        if getattr(args, "recipe_json", None):
            return EncoderRecipe.from_dict(json.loads(args.recipe_json.read_text()))
        return TEST_ENCODER_RECIPE if args.test else DEFAULT_ENCODER_RECIPE
    if getattr(args, "recipe_json", None):
        return Recipe.from_json(args.recipe_json.read_text())
    return TEST_RECIPE if args.test else DEFAULT_RECIPE


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        recipe = _recipe(args)
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: bad recipe: {exc}", file=sys.stderr)
        return 2
    if args.command == "where":
        key = encoder_cache_key(recipe) if isinstance(recipe, EncoderRecipe) else cache_key(recipe)
        print(f"cache: {cache_dir()}\nkey:   {key}")
        return 0

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub, even by accident

    def progress(message: str, fraction: float) -> None:
        if not args.json:
            print(f"[{fraction:6.1%}] {message}", flush=True)

    if isinstance(recipe, EncoderRecipe):
        encoder = build_encoder(recipe, progress)
        if args.json:
            print(json.dumps(entry_summary(encoder), indent=2, sort_keys=True))
            return 0
        e = encoder.metrics
        print(f"\nencoder:    {encoder.path}")
        print(f"parameters: {e['parameters']:,}   vocabulary: {e['vocab_size']}   "
              f"training tokens: {e['train_tokens']:,}")
        print(f"masked-token accuracy, general valid: {e['masked_accuracy_init']:.3f} (init) "
              f"-> {e['masked_accuracy']:.3f}")
        print("timings (s): " + ", ".join(f"{k}={v}" for k, v in e["timings"].items()))
        return 0
    built = build(recipe, progress)
    if args.json:
        print(json.dumps(entry_summary(built), indent=2, sort_keys=True))
        return 0
    m = built.metrics
    print(f"\nmodel:      {built.path}")
    print(f"parameters: {m['parameters']:,}   vocabulary: {m['vocab_size']}   "
          f"training tokens: {m['train_tokens']:,}")
    print(f"perplexity general valid: {m['general_valid_ppl_init']:.1f} (init) -> {m['general_valid_ppl']:.3f}")
    print(f"perplexity general hidden: {m['general_hidden_ppl']:.3f}   "
          f"faq valid: {m['faq_valid_ppl']:.2f}   faq hidden: {m['faq_hidden_ppl']:.2f}")
    print("timings (s): " + ", ".join(f"{k}={v}" for k, v in m["timings"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
