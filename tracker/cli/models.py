"""``sprint models build`` / ``sprint models where``: the tiny models the model exercises are graded with.

``build`` builds both: the tiny Llama (graders.tinymodels.build) and the tiny BERT encoder that
extractive-qa fine-tunes (graders.tinymodels.encoder); ``--test`` builds the small test Llama only.

Building is what a grader does on first use anyway (about two minutes on two cores); this command
does it ahead of time, with a progress bar, so the first ``sprint grade`` is not the slow one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from graders.tinymodels.recipe import DEFAULT_RECIPE, TEST_RECIPE, Recipe  # light: no torch
from tracker.cli.common import JsonOption, command_app
from tracker.cli.output import console, print_json

if TYPE_CHECKING:
    from rich.console import Console
from tracker.errors import UsageError

cli = command_app("Tiny models the model exercises are graded with.")

TestOption = Annotated[bool, typer.Option("--test", help="The small test recipe (seconds) instead of the default.")]


def _recipe(test: bool) -> Recipe:
    return TEST_RECIPE if test else DEFAULT_RECIPE


@cli.command("build")
def build_command(test: TestOption = False, json_: JsonOption = False) -> None:
    """Build the tiny model (tokenizer + Llama-style model + corpora) into the user cache, or report the
    cached one. Deterministic: the same recipe gives the same weights, under a key hashed from the recipe."""
    import importlib.util
    import os

    for needed in ("torch", "transformers", "tokenizers"):
        if importlib.util.find_spec(needed) is None:
            raise UsageError(f"building models needs {needed}: pip install torch==2.13.0 'llm-sprint[ml]'")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from graders.tinymodels import build

    recipe = _recipe(test)
    out = console()
    if json_:
        built = build(recipe)
    elif not out.is_terminal:  # a log (CI): one line per stage, no bar redrawn into it
        last: list[str] = []

        def log(message: str, fraction: float) -> None:
            if message != (last[-1] if last else None) and not message.startswith("cached model"):
                last.append(message)
                out.print(f"[{fraction:6.1%}] {message}", markup=False, highlight=False)

        built = build(recipe, log)
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                   TimeElapsedColumn())
        with Progress(*columns, console=out, transient=True) as bar:
            task = bar.add_task("tiny model", total=1.0)

            def report(message: str, fraction: float) -> None:
                bar.update(task, completed=fraction, description=message[:70])

            built = build(recipe, report)
    metrics = built.metrics
    if json_:
        summary: dict[str, object] = {"path": str(built.path), "recipe_hash": built.recipe_hash,
                                      "built_now": built.built_now, "metrics": metrics}
        if not test:
            from graders.tinymodels.encoder import build_encoder

            encoder = build_encoder()
            summary["encoder"] = {"path": str(encoder.path), "recipe_hash": encoder.recipe_hash,
                                  "built_now": encoder.built_now, "metrics": encoder.metrics}
        print_json(summary)
        return
    verb = "built" if built.built_now else "cached"
    out.print(f"{verb}: {built.path}", markup=False, highlight=False)
    out.print(f"  {metrics['parameters']:,} parameters, vocabulary {metrics['vocab_size']}; held-out perplexity "
              f"{metrics['general_valid_ppl_init']:.0f} (untrained) → {metrics['general_valid_ppl']:.1f}",
              markup=False, highlight=False)
    if not test:
        _build_encoder(out)


def _build_encoder(out: Console) -> None:
    """The tiny BERT extractive-qa fine-tunes, built after the Llama (one line per stage)."""
    from graders.tinymodels.encoder import build_encoder

    last: list[str] = []

    def log(message: str, fraction: float) -> None:
        if message != (last[-1] if last else None) and not message.startswith("cached encoder"):
            last.append(message)
            out.print(f"[encoder {fraction:6.1%}] {message}", markup=False, highlight=False)

    encoder = build_encoder(progress=log)
    metrics = encoder.metrics
    verb = "built" if encoder.built_now else "cached"
    out.print(f"{verb}: {encoder.path}", markup=False, highlight=False)
    out.print(f"  {metrics['parameters']:,} parameters, vocabulary {metrics['vocab_size']}; masked-token accuracy "
              f"{metrics['masked_accuracy_init']:.3f} (untrained) → {metrics['masked_accuracy']:.3f}",
              markup=False, highlight=False)


@cli.command("where")
def where_command(test: TestOption = False) -> None:
    """Print the cache folder and the key of the model the graders use (set LLM_SPRINT_CACHE to move it)."""
    from graders.tinymodels.cache import cache_dir
    from graders.tinymodels.recipe import cache_key

    out = console()
    out.print(f"cache: {cache_dir()}", markup=False, highlight=False)
    out.print(f"key:   {cache_key(_recipe(test))}", markup=False, highlight=False)
