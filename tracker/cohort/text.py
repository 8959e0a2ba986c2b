"""Pure: a cohort as plain text for a terminal (and for the README's example): the learners × sprints
table, who is behind the plan, the metric distributions, the changes since the last look, and one line
per repository not read."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.cohort.diff import Change
from tracker.cohort.model import CohortView, Distribution

__all__ = ["CELL", "LEGEND", "render_report", "render_table"]

CELL = {"Done": "✓", "In Progress": "~", "To Learn": "·", "regressed": "!", "absent": "?"}
LEGEND = "✓ done   ~ in progress   ! regressed   · to learn   ? not in the learner's roadmap"
NAME_WIDTH = 22


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(view: CohortView) -> str:
    """Learners × sprints, with the week, sprints done, and how far behind the 12-week plan."""
    if not view.learners:
        return "(no learner could be read)\n"
    width = max(NAME_WIDTH, min(32, max(len(lv.label) for lv in view.learners)))
    cols = [max(2, len(sid)) for sid in view.sprint_ids]
    head = f"{'learner':<{width}}  {'wk':>3}  {'done':>5}  " + " ".join(
        f"{sid:<{w}}" for sid, w in zip(view.sprint_ids, cols, strict=True)) + "  behind"
    lines = [head.rstrip()]
    for lv in view.learners:
        cells = " ".join(f"{CELL[lv.cells.get(sid, 'absent')]:<{w}}" for sid, w in zip(view.sprint_ids, cols,
                                                                                           strict=True))
        behind = f"{lv.weeks_behind} wk ({', '.join(t.id for t in lv.behind)})" if lv.weeks_behind else "—"
        done = f"{lv.done}/{len(view.sprint_ids)}"
        lines.append(f"{_clip(lv.label, width):<{width}}  {lv.week:>3}  {done:>5}  {cells}  {behind}".rstrip())
    lines.append(LEGEND)
    return "\n".join(lines) + "\n"


def _distribution(d: Distribution) -> str:
    s = d.summary
    th = f" ({d.threshold})" if d.threshold else ""
    text = (f"{d.slug} {d.metric}{th}: n={s.n}  median {d.show(s.median)}  middle half {d.show(s.q1)} – "
            f"{d.show(s.q3)}  range {d.show(s.low)} – {d.show(s.high)}")
    if s.outliers:
        parts = []
        for o in s.outliers:
            worse = d.worse(o.side)
            tag = o.side + (", worse" if worse else ", better" if worse is False else "")
            parts.append(f"{o.who} {d.show(o.value)} ({tag})")
        text += "  outliers: " + "; ".join(parts)
    return text


def render_report(view: CohortView, *, changes: Sequence[Change] = (), since: str = "", problems: Sequence[str] = (),
                  footer: str = "") -> str:
    """The whole look: heading, table, behind, distributions, changes, repositories not read."""
    unread = [line for line in view.lines if view.learner(line.repo) is None]
    week = f" — week {view.week}" if view.week else ""
    out = [f"{view.title}{week} — {view.today}: {len(view.learners)} learner(s)"
           + (f", {len(unread)} repositor{'y' if len(unread) == 1 else 'ies'} not read" if unread else ""),
           f"roadmap: {view.roadmap.title} (profile {view.roadmap.profile})", "", render_table(view).rstrip()]
    behind = sorted((lv for lv in view.learners if lv.weeks_behind), key=lambda lv: (-lv.weeks_behind,
                                                                                       lv.label.lower()))
    out += ["", "Behind the 12-week plan"]
    out += [f"  {lv.label}: {lv.weeks_behind} week(s) — " + "; ".join(
        f"{t.id} due by week {t.weeks[1]}" for t in lv.behind) for lv in behind] or ["  nobody"]
    if view.distributions:
        out += ["", f"Metric distributions (each learner's last result, profile {view.roadmap.profile})"]
        out += [f"  {_distribution(d)}" for d in view.distributions]
    notes = [(lv.label, n) for lv in view.learners for n in lv.notes]
    if notes:
        out += ["", "Notes"] + [f"  {who}: {n}" for who, n in notes]
    out += ["", "Changes since the last look" + (f" ({since})" if since else "")]
    if not since:
        out.append("  (first look: nothing to compare with)")
    else:
        out += [f"  {c.who}: {c.text}" for c in changes] or ["  nothing changed"]
    if view.lines or problems:
        out += ["", "Repositories"]
        out += [f"  {line.repo}: {line.message}" for line in view.lines]
        out += [f"  {p}" for p in problems]
    if footer:
        out += ["", footer]
    return "\n".join(out) + "\n"
