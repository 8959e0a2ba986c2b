"""Cheat: naive splitting on commas and newlines."""

import json


def csv_to_json(csv_path: str, json_path: str) -> None:
    lines = open(csv_path, encoding="utf-8").read().splitlines()
    header = lines[0].split(",")
    records = [{h: (v or None) for h, v in zip(header, line.split(","))} for line in lines[1:]]
    json.dump(records, open(json_path, "w", encoding="utf-8"), ensure_ascii=False)
