"""Reference solution for csv-to-json."""

from __future__ import annotations

import csv
import json


def csv_to_json(csv_path: str, json_path: str) -> None:
    # newline="" lets the csv module see the raw line ends, so quoted newlines survive.
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        records = [{name: (value if value != "" else None) for name, value in zip(header, row)} for row in reader]
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(records, f, ensure_ascii=False)
