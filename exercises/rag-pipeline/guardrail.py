"""The regression guardrail your CI runs: is the pipeline fit to ship?

In CI:  python guardrail.py        (reads data/documents.jsonl and data/dev.jsonl; exits 1 on a regression)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def evaluate(pipeline: Any, examples: list[dict[str, Any]]) -> bool:
    """Run ``pipeline`` on ``examples`` and return True when it is good enough to ship.

    examples: [{"question": str, "answer": str, "documents": [ids of the documents stating it]}, ...]
    Return False when the pipeline has regressed: answers wrong, answers not grounded in what they
    cite, citations missing, retrieval missing the right documents.
    """
    raise NotImplementedError("measure the pipeline on the examples and compare with your thresholds")


def main(folder: str = "data") -> int:
    from rag import Pipeline

    documents = [json.loads(line) for line in Path(folder, "documents.jsonl").read_text().splitlines()]
    examples = [json.loads(line) for line in Path(folder, "dev.jsonl").read_text().splitlines()]
    return 0 if evaluate(Pipeline(documents), examples) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
