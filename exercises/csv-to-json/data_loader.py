"""P0 — read a CSV file and write it out as JSON.

Fill in ``csv_to_json``; see README.md for the exact format. Grade it with:

    sprint grade csv-to-json
"""

from __future__ import annotations


def csv_to_json(csv_path: str, json_path: str) -> None:
    """Read ``csv_path`` (UTF-8, a header row, then records) and write ``json_path``:
    a JSON array with one object per record, keyed by the header, in file order.
    Values stay strings; an empty field becomes ``null``."""
    raise NotImplementedError("read the CSV and write the JSON")
