"""``sprint models build`` / ``sprint models where``: the tiny models the model exercises are graded with.

``build [all|llama|encoder]`` builds the tiny Llama the model exercises use (graders.tinymodels.build;
about two minutes on two cores) and the tiny BERT encoder extractive-qa fine-tunes
(graders.tinymodels.encoder; about twelve minutes on one core), or one of them; ``--test`` the small
test recipes (seconds). Building is what a grader does on first use anyway; this command does it
ahead of time, with progress, so the first ``sprint grade`` is not the slow one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from graders.tinymodels.cache import entry_summary  # light: no torch
from graders.tinymodels.recipe import DEFAULT_RECIPE, TEST_RECIPE, Recipe  # light: no torch
from tracker.cli.common import JsonOption, command_app
from tracker.cli.output import console, print_json
from tracker.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

cli = command_app("Tiny models the model exercises are graded with.")

TestOption = Annotated[bool, typer.Option("--test", help="The small test recipe (seconds) instead of the default.")]


def _recipe(test: bool) -> Recipe:
    return TEST_RECIPE if test else DEFAULT_RECIPE


class Which(StrEnum):
    all = "all"
    llama = "llama"
    encoder = "encoder"


WhichArgument = Annotated[Which, typer.Argument(
    help="Which model: the tiny Llama of the model exercises, the tiny BERT encoder extractive-qa fine-tunes, "
         "or both.", show_default=True)]


@cli.command("build")
def build_command(which: WhichArgument = Which.all, test: TestOption = False, json_: JsonOption = False) -> None:
    """Build the tiny models (tokenizer + model + corpora) into the user cache, or report the cached ones.
    Deterministic: the same recipe gives the same weights, under a key hashed from the recipe."""
    import importlib.util
    import os

    for needed in ("torch", "transformers", "tokenizers"):
        if importlib.util.find_spec(needed) is None:
            raise UsageError(f"building models needs {needed}: pip install torch==2.13.0 'llm-sprint[ml]'")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    out = console()
    summary: dict[str, object] = {}
    if which in (Which.all, Which.llama):
        from graders.tinymodels import build

        with _progress(out, "tiny model", quiet=json_) as report:
            built = build(_recipe(test), report)
        summary["llama"] = entry_summary(built)
        if not json_:
            metrics = built.metrics
            _say(out, f"{'built' if built.built_now else 'cached'}: {built.path}")
            _say(out, f"  {metrics['parameters']:,} parameters, vocabulary {metrics['vocab_size']}; held-out "
                      f"perplexity {metrics['general_valid_ppl_init']:.0f} (untrained) → "
                      f"{metrics['general_valid_ppl']:.1f}")
    if which in (Which.all, Which.encoder):
        from graders.tinymodels.encoder import DEFAULT_ENCODER_RECIPE, TEST_ENCODER_RECIPE, build_encoder

        with _progress(out, "tiny encoder", quiet=json_) as report:
            encoder = build_encoder(TEST_ENCODER_RECIPE if test else DEFAULT_ENCODER_RECIPE, report)
        summary["encoder"] = entry_summary(encoder)
        if not json_:
            metrics = encoder.metrics
            _say(out, f"{'built' if encoder.built_now else 'cached'}: {encoder.path}")
            _say(out, f"  {metrics['parameters']:,} parameters, vocabulary {metrics['vocab_size']}; masked-token "
                      f"accuracy {metrics['masked_accuracy_init']:.3f} (untrained) → {metrics['masked_accuracy']:.3f}")
    if json_:
        print_json(summary)


def _say(out: Console, text: str) -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def _progress(out: Console, name: str, *, quiet: bool) -> Iterator[Callable[[str, float], None] | None]:
    """How a build reports while it runs: not at all under --json; one line per stage in a log (CI),
    never a bar redrawn into it; a live bar on a terminal."""
    if quiet:
        yield None
    elif not out.is_terminal:
        last_stage, last_fraction = "", -1.0

        def log(message: str, fraction: float) -> None:
            # One line per stage change, and one per 5 % within a stage: a stage is a message up to
            # "step" ("masked-LM pretraining step 25/6000, …"), so 240 step reports make 20 lines.
            nonlocal last_stage, last_fraction
            stage = message.split("step", 1)[0]
            if message.startswith("cached ") or (stage == last_stage and fraction < min(1.0, last_fraction + 0.05)):
                return
            last_stage, last_fraction = stage, fraction
            _say(out, f"[{name} {fraction:6.1%}] {message}")

        yield log
    else:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                   TimeElapsedColumn())
        with Progress(*columns, console=out, transient=True) as bar:
            task = bar.add_task(name, total=1.0)
            yield lambda message, fraction: bar.update(task, completed=fraction, description=message[:70])


@cli.command("where")
def where_command(test: TestOption = False) -> None:
    """Print the cache folder and the keys of the models the graders use (set LLM_SPRINT_CACHE to move it)."""
    from graders.tinymodels.cache import cache_dir
    from graders.tinymodels.encoder import DEFAULT_ENCODER_RECIPE, TEST_ENCODER_RECIPE, encoder_cache_key
    from graders.tinymodels.recipe import cache_key

    out = console()
    _say(out, f"cache:   {cache_dir()}")
    _say(out, f"llama:   {cache_key(_recipe(test))}")
    _say(out, f"encoder: {encoder_cache_key(TEST_ENCODER_RECIPE if test else DEFAULT_ENCODER_RECIPE)}")
