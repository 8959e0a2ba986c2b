"""Hidden cases for csv-to-json: fresh CSVs drawn from the run's seed, and the comparison."""

from __future__ import annotations

import csv
import io
import json
import random
from typing import Any

from graders.kinds.function_measure import Case

WORDS = ["alpha", "beta", "gamma", "delta", "omega", "data", "loader", "json", "csv", "row"]
UNICODE = ["Борис", "Ёлка", "Привет, мир", "東京", "数据", "naïve", "Zürich", "🙂", "emoji 🚀 here", "ĳ"]
TRICKY = ['say "hi"', "a,b,c", "line one\nline two", "trailing space ", " leading", '"', ",", "\r\nwindows"]


def _field(rng: random.Random, kinds: list[str]) -> str:
    kind = rng.choice(kinds)
    if kind == "empty":
        return ""
    if kind == "number":
        return str(rng.randint(-10_000, 10_000))
    if kind == "unicode":
        return rng.choice(UNICODE)
    if kind == "tricky":
        return rng.choice(TRICKY)
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


def _csv(header: list[str], rows: list[list[str]], line_end: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _expected(header: list[str], rows: list[list[str]]) -> list[dict[str, Any]]:
    return [{h: (v if v != "" else None) for h, v in zip(header, row)} for row in rows]


def _case(name: str, rng: random.Random, n_rows: int, kinds: list[str], *, line_end: str = "\n",
          timed: bool = False) -> Case:
    n_cols = rng.randint(2, 7)
    header = [f"{rng.choice(WORDS)}_{i}" for i in range(n_cols)]
    if "unicode" in kinds:
        header[-1] = rng.choice(["имя", "名前", "größe"])
    rows = [[_field(rng, kinds) for _ in header] for _ in range(n_rows)]
    text = _csv(header, rows, line_end)
    return Case(name=name, args=[{"path": "in.csv"}, {"path": "out.json"}], files={"in.csv": text},
                outputs=["out.json"], expected=_expected(header, rows), timed=timed)


def generate(seed: int) -> list[Case]:
    rng = random.Random(seed)
    return [
        _case("plain", rng, rng.randint(3, 20), ["word", "number"]),
        _case("quoting", rng, rng.randint(5, 30), ["word", "tricky"]),
        _case("unicode", rng, rng.randint(5, 30), ["word", "unicode"]),
        _case("empty-fields", rng, rng.randint(5, 30), ["word", "empty", "empty"]),
        _case("crlf", rng, rng.randint(5, 30), ["word", "tricky", "empty"], line_end="\r\n"),
        _case("header-only", rng, 0, ["word"]),
        _case("10k-rows", rng, 10_000, ["word", "number", "unicode", "tricky", "empty"], timed=True),
    ]


def compare(case: Case, returned: Any, outputs: dict[str, bytes | None]) -> str | None:
    raw = outputs.get("out.json")
    if raw is None:
        return "no JSON file was written at json_path"
    try:
        got = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "the JSON file is not valid UTF-8"
    except ValueError as exc:
        return f"the file is not valid JSON ({exc})"
    want = case.expected
    if not isinstance(got, list):
        return f"expected a JSON array, got {type(got).__name__}"
    if len(got) != len(want):
        return f"expected {len(want)} records, got {len(got)}"
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            if not isinstance(g, dict):
                return f"record {i}: expected an object, got {type(g).__name__}"
            if list(g) != list(w):
                return f"record {i}: keys {list(g)[:4]}… differ from the header {list(w)[:4]}…"
            key = next(k for k in w if g.get(k) != w[k])
            return f"record {i}, field {key!r}: expected {w[key]!r}, got {g.get(key)!r}"
    return None
