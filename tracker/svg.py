"""A progress chart drawn by hand as SVG (no plotting library): one stacked bar per quarter or track.

Deterministic — the same rows give byte-identical output — so rewriting the README's chart is a no-op
when nothing changed. Colours follow the board: Done green, In Progress amber, To Learn grey.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

__all__ = ["ChartRow", "progress_chart"]

DONE, DOING, TODO = "#2da44e", "#d4a72c", "#d0d7de"
WIDTH, LABEL_W, BAR_W, ROW_H, TOP, BOTTOM = 720, 250, 320, 30, 44, 40


@dataclass(frozen=True)
class ChartRow:
    label: str
    done: int
    in_progress: int
    to_learn: int
    note: str = ""  # e.g. "v0.1 ✓"

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.to_learn


def _text(x: float, y: float, text: str, *, size: int = 13, anchor: str = "start", weight: str = "normal",
          fill: str = "#24292f") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}">{escape(text)}</text>')


def progress_chart(rows: list[ChartRow], *, title: str) -> str:
    """The chart as an SVG document (a string ending with a newline)."""
    height = TOP + ROW_H * max(1, len(rows)) + BOTTOM
    done = sum(r.done for r in rows)
    total = sum(r.total for r in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(f"{title}: {done} of {total} sprints done", {chr(34): "&quot;"})}">',
        f"<title>{escape(title)}: {done} of {total} sprints done</title>",
        '<g font-family="-apple-system, BlinkMacSystemFont, Segoe UI, Helvetica, Arial, sans-serif">',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" rx="8" fill="#ffffff" stroke="#d0d7de"/>',
        _text(16, 26, f"{title} — {done}/{total} sprints done", size=15, weight="bold"),
    ]
    for i, row in enumerate(rows):
        y = TOP + i * ROW_H
        parts.append(_text(16, y + 19, row.label))
        x = float(LABEL_W)
        for count, colour in ((row.done, DONE), (row.in_progress, DOING), (row.to_learn, TODO)):
            if count and row.total:
                w = BAR_W * count / row.total
                parts.append(f'<rect x="{x:.1f}" y="{y + 6}" width="{w:.1f}" height="18" fill="{colour}"/>')
                x += w
        if not row.total:
            parts.append(f'<rect x="{LABEL_W}" y="{y + 6}" width="{BAR_W}" height="18" fill="none" stroke="{TODO}"/>')
        summary = f"{row.done}/{row.total}" + (f"  {row.note}" if row.note else "")
        parts.append(_text(LABEL_W + BAR_W + 12, y + 19, summary))
    ly = height - BOTTOM + 24
    for j, (name, colour) in enumerate((("Done", DONE), ("In Progress", DOING), ("To Learn", TODO))):
        lx = 16 + j * 130
        parts.append(f'<rect x="{lx}" y="{ly - 11}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(lx + 18, ly, name, size=12))
    parts += ["</g>", "</svg>"]
    return "\n".join(parts) + "\n"
