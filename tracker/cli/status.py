"""``sprint status``: quarters, sprints (status, checklist progress), and the 12-week targets."""

from __future__ import annotations

from typing import Any

from tracker._version import __version__
from tracker.cli.common import JsonOption, WorkspaceOption, command_app
from tracker.cli.output import console, print_json
from tracker.progress import roadmap_state
from tracker.session import open_session
from tracker.status import RoadmapState, SprintState
from tracker.upgrade import version_note

cli = command_app()

COLUMN_STYLE = {"To Learn": "dim", "In Progress": "yellow", "Done": "green"}
TARGET_STYLE = {"met": "green", "on track": "cyan", "behind": "red", "upcoming": "dim"}
RESULT_STYLE = {"pass": "green", "fail": "red", "error": "magenta", "pending": "yellow"}


def sprint_json(s: SprintState) -> dict[str, Any]:
    done, total = s.progress
    return {
        "id": s.id,
        "title": s.title,
        "status": s.column,
        "progress": {"done": done, "total": total},
        "note": s.note,
        "checklist": [{"text": c.text, "checked": c.checked, "manual": c.manual, "check": c.bound_to,
                       "detail": c.detail} for c in s.checklist],
        "exercises": [{"slug": e.slug, "title": e.title, "available": e.available, "state": e.label,
                       "last_status": e.last.status if e.last else None, "regression": e.regression}
                      for e in s.exercises],
    }


def state_json(st: RoadmapState) -> dict[str, Any]:
    return {
        "title": st.title,
        "profile": st.profile,
        "today": st.today.isoformat(),
        "week": st.week,
        "quarters": [{"id": q.id, "title": q.title, "release": q.release, "done": q.done,
                      "sprints": [sprint_json(s) for s in q.sprints]} for q in st.quarters],
        "tracks": [{"id": t.id, "title": t.title, "sprints": [sprint_json(s) for s in t.sprints]} for t in st.tracks],
        "targets": [{"id": t.id, "weeks": list(t.weeks), "goal": t.goal, "result": t.result, "metric": t.metric,
                     "threshold": t.threshold, "exercises": t.exercises, "status": t.status,
                     "measured": t.measured, "graded_threshold": t.graded_threshold or None} for t in st.targets],
    }


def _exercise_summary(s: SprintState) -> str:
    parts = []
    for e in s.exercises:
        style = RESULT_STYLE.get(e.label, "dim")
        parts.append(f"{e.slug} [{style}]{e.label}[/]")
    return ", ".join(parts)


@cli.command()
def status(workspace: WorkspaceOption = None, json_: JsonOption = False) -> None:
    """Where you are: every quarter and sprint, checklist progress, and the 12-week targets."""
    session = open_session(workspace)
    st = roadmap_state(session.ws, session.roadmap, session.conn)
    note = version_note(session.ws.root)  # a workspace set up by another llm-sprint says so
    if json_:
        print_json({**state_json(st), "llm_sprint": {"version": __version__, "note": note}})
        return
    from rich.table import Table

    out = console()
    week = f"week {st.week}" if st.week > 0 else f"starts {session.roadmap.start_date}"
    out.print(f"[bold]{st.title}[/] — {week}, required profile [bold]{st.profile}[/]")
    if note:
        out.print(f"! {note}", style="yellow", markup=False, highlight=False)
    for group in (*st.quarters, *st.tracks):
        done = sum(s.column == "Done" for s in group.sprints)
        release = f" → {group.release}" if group.release else ""
        table = Table(title=f"{group.id} {group.title}{release}  ({done}/{len(group.sprints)} done)",
                      title_justify="left", show_header=False, box=None, padding=(0, 2))
        table.add_column("id", min_width=4, no_wrap=True)
        table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=36)
        table.add_column("status", no_wrap=True, min_width=11)
        table.add_column("progress", no_wrap=True, min_width=3)
        table.add_column("exercises", ratio=1)
        for s in group.sprints:
            done_items, total_items = s.progress
            table.add_row(s.id, s.title, f"[{COLUMN_STYLE[s.column]}]{s.column}[/]", f"{done_items}/{total_items}",
                          _exercise_summary(s) + (f"\n[red]{s.note}[/]" if s.note else ""))
        if group.sprints:
            out.print(table)
    out.print(f"[bold]12-week targets[/] (now: week {st.week})")
    for t in st.targets:
        here = "◀" if t.weeks[0] <= st.week <= t.weeks[1] else " "
        metric = f"{t.metric} {t.threshold or ''}".strip() + (f" (graded: {t.graded_threshold})"
                                                              if t.graded_threshold else "")
        status_cell = f"[{TARGET_STYLE[t.status]}]{t.status:<9}[/]"
        out.print(f"  {t.id:<7} weeks {t.weeks[0]:>2}–{t.weeks[1]:<2} {here} {status_cell} {t.measured or '—':<9} "
                  f"{metric}", no_wrap=True, overflow="ellipsis")
        out.print(f"          [dim]{t.goal}[/]", no_wrap=True, overflow="ellipsis")
