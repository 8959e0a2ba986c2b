"""The cached tiny models' folders as a grader's parent process gets them: built, if need be, by a
trusted subprocess (``python -m graders.tinymodels build --json``) in which no learner code runs,
so the parent itself never imports torch.
"""

from __future__ import annotations

import json
import subprocess
import sys

__all__ = ["tiny_encoder_path", "tiny_model_path"]


def tiny_model_path(timeout_s: float) -> str:
    """The default tiny Llama's folder; ``"!" + reason`` when it cannot be had."""
    return _built_path([], timeout_s)


def tiny_encoder_path(timeout_s: float) -> str:
    """The default tiny BERT encoder's folder (extractive-qa); ``"!" + reason`` when it cannot be had."""
    return _built_path(["--encoder"], timeout_s)


def _built_path(options: list[str], timeout_s: float) -> str:
    try:
        proc = subprocess.run([sys.executable, "-m", "graders.tinymodels", "build", *options, "--json"],
                              capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"!{exc}"
    if proc.returncode != 0:
        return "!" + (proc.stderr.strip().splitlines() or ["no output"])[-1]
    path: str = json.loads(proc.stdout)["path"]
    return path
