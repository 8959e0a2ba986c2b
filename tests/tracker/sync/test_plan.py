"""The plan is a pure function of desired and current state (SPEC §8): table-driven."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tracker.board_model import ChecklistEntry, Column, Item, ItemFields, Label, Milestone, ProjectState, Snapshot
from tracker.markers import CommentRef, comment_digest, comment_matches, marker, metrics_marker, with_comment_ref
from tracker.sync.desired import Desired, DesiredItem
from tracker.sync.plan import Action, EnsureLabel, EnsureMilestone, plan

LABELS = [Label(name="llm-sprint"), Label(name="Q1")]
MILESTONE = Milestone(title="Q1 — Core (v0.1)")
COMMENT = metrics_marker("P0") + "\n### ✅ P0 done\n| accuracy | 100% |\n"


def fields(sid: str, *, checked: bool = False, title: str | None = None, labels: list[str] | None = None,
           milestone: str | None = MILESTONE.title, body_extra: str = "") -> ItemFields:
    box = "x" if checked else " "
    body = f"{marker(sid)}\n### What must work\n- [{box}] it works\n{body_extra}"
    return ItemFields(title=title or f"[{sid}] Sprint", body=body,
                      checklist=[ChecklistEntry(text="it works", checked=checked)],
                      labels=["llm-sprint", "Q1"] if labels is None else labels, milestone=milestone)


def want(sid: str, status: Column = "To Learn", *, checked: bool = False, comment: str | None = None) -> DesiredItem:
    return DesiredItem(sprint_id=sid, fields=fields(sid, checked=checked), status=status, closed=status == "Done",
                       comment=comment)


def have(sid: str, status: Column | None = "To Learn", *, closed: bool = False, comment: str | None = None,
         **kw: object) -> Item:
    return Item(sprint_id=sid, key=sid, fields=fields(sid, **kw), status=status, closed=closed,  # type: ignore[arg-type]
                comment=comment)


def desired(*items: DesiredItem) -> Desired:
    return Desired(items={i.sprint_id: i for i in items}, labels=LABELS, milestones=[MILESTONE])


def current(*items: Item, labels: bool = True, milestones: bool = True) -> Snapshot:
    return Snapshot(items={i.sprint_id: i for i in items},
                    labels={lb.name: lb for lb in LABELS} if labels else {},
                    milestones={MILESTONE.title: MILESTONE} if milestones else {})


@dataclass
class Case:
    name: str
    desired: Desired
    current: Snapshot
    expected: list[str]  # "op sprint" (or "op name" for labels/milestones/project)
    project: ProjectState | None = None
    statuses: bool = True
    extra: dict[str, object] = field(default_factory=dict)


def _ref(body: str) -> str:
    return CommentRef(42, comment_digest(body)).render()


READY = ProjectState(title="LLM sprint", exists=True)
CASES = [
    Case("empty board: labels, milestones, then create, then status",
         desired(want("P0"), want("P1")), current(labels=False, milestones=False),
         ["ensure-label llm-sprint", "ensure-label Q1", "ensure-milestone Q1 — Core (v0.1)",
          "create-item P0", "create-item P1", "set-status P0", "set-status P1"]),
    Case("in sync: nothing to do", desired(want("P0"), want("P1")), current(have("P0"), have("P1")), []),
    Case("one status change: exactly one move", desired(want("P0", "In Progress"), want("P1")),
         current(have("P0"), have("P1")), ["set-status P0"]),
    Case("done: checklist, move, one comment, close",
         desired(want("P0", "Done", checked=True, comment=COMMENT)), current(have("P0")),
         ["update-item P0", "set-status P0", "upsert-comment P0", "set-closed P0"]),
    Case("done and in sync (comment as text)", desired(want("P0", "Done", checked=True, comment=COMMENT)),
         current(have("P0", "Done", closed=True, checked=True, comment=COMMENT)), []),
    Case("done and in sync (comment as a reference with a digest)",
         desired(want("P0", "Done", checked=True, comment=COMMENT)),
         current(have("P0", "Done", closed=True, checked=True, comment=_ref(COMMENT))), []),
    Case("stale comment reference: edit the comment, never a second one",
         desired(want("P0", "Done", checked=True, comment=COMMENT)),
         current(have("P0", "Done", closed=True, checked=True, comment=_ref("old numbers"))), ["upsert-comment P0"]),
    Case("regression: reopen and move back; the comment stays",
         desired(want("P0", "In Progress")),
         current(have("P0", "Done", closed=True, checked=True, comment=COMMENT)),
         ["update-item P0", "set-status P0", "set-closed P0"]),
    Case("not on the project board yet (status None)", desired(want("P0")), current(have("P0", None)),
         ["set-status P0"]),
    Case("issues only: statuses are not planned", desired(want("P0", "In Progress")), current(have("P0", None)),
         [], statuses=False),
    Case("issues only still closes a done sprint", desired(want("P0", "Done", checked=True, comment=COMMENT)),
         current(have("P0", None)), ["update-item P0", "upsert-comment P0", "set-closed P0"], statuses=False),
    Case("no project yet: create it and set the options before any item is added",
         desired(want("P0")), current(), ["ensure-project LLM sprint", "set-status-options", "create-item P0",
                                          "set-status P0"],
         project=ProjectState(title="LLM sprint", exists=False, linked=False, options_ready=False)),
    Case("fresh project with GitHub's default options and no item: set them",
         desired(want("P0")), current(have("P0", None)), ["set-status-options", "set-status P0"],
         project=ProjectState(title="LLM sprint", exists=True, options_ready=False, has_items=False)),
    Case("project with items and foreign options: never replace them, status unmanaged",
         desired(want("P0", "Done", checked=True, comment=COMMENT)), current(have("P0", None)),
         ["update-item P0", "upsert-comment P0", "set-closed P0"],
         project=ProjectState(title="LLM sprint", exists=True, options_ready=False, has_items=True)),
    Case("project not linked to the repository", desired(want("P0")), current(have("P0")), ["link-project LLM sprint"],
         project=ProjectState(title="LLM sprint", exists=True, linked=False)),
    Case("ready project in sync", desired(want("P0")), current(have("P0")), [], project=READY),
    Case("title edited by hand is restored", desired(want("P0")), current(have("P0", title="mine")),
         ["update-item P0"]),
    Case("a label the learner added stays; a missing one is restored", desired(want("P0")),
         current(have("P0", labels=["llm-sprint", "help wanted"])), ["update-item P0"]),
    Case("only a foreign label more: nothing to do", desired(want("P0")),
         current(have("P0", labels=["llm-sprint", "Q1", "help wanted"])), []),
    Case("milestone removed by hand is restored", desired(want("P0")), current(have("P0", milestone=None)),
         ["update-item P0"]),
    Case("CRLF and trailing blanks from GitHub's editor are no change", desired(want("P0")),
         current(Item(sprint_id="P0", key="1", status="To Learn",
                      fields=fields("P0").model_copy(update={"body": fields("P0").body.replace("\n", "  \r\n")}))),
         []),
    Case("closed by hand while not done: reopened", desired(want("P0")), current(have("P0", closed=True)),
         ["set-closed P0"]),
]


def _key(action: Action) -> str:
    if isinstance(action, EnsureLabel):
        return f"{action.op} {action.label.name}"
    if isinstance(action, EnsureMilestone):
        return f"{action.op} {action.milestone.title}"
    for attr in ("sprint_id", "title"):
        if hasattr(action, attr):
            return f"{action.op} {getattr(action, attr)}"
    return action.op


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_plan(case: Case) -> None:
    actions = plan(case.desired, case.current, project=case.project, statuses=case.statuses)
    assert [_key(a) for a in actions] == case.expected
    assert plan(case.desired, case.current, project=case.project, statuses=case.statuses) == actions  # pure
    for a in actions:
        assert a.describe()  # every action can be printed by --dry-run


def test_update_keeps_foreign_labels_and_restores_ours() -> None:
    [update] = plan(desired(want("P0")), current(have("P0", labels=["llm-sprint", "help wanted"])))
    assert update.fields.labels == ["llm-sprint", "Q1", "help wanted"]  # type: ignore[union-attr]


def test_checklist_change_is_named() -> None:
    [update, *_] = plan(desired(want("P0", "Done", checked=True, comment=COMMENT)), current(have("P0")))
    assert update.changes == ["checklist"]  # type: ignore[union-attr]


def test_plan_round_trips_as_json() -> None:
    from pydantic import TypeAdapter

    actions = plan(desired(want("P0", "Done", checked=True, comment=COMMENT)), current(labels=False),
                   project=ProjectState(title="B", exists=False, linked=False, options_ready=False))
    adapter = TypeAdapter(list[Action])
    assert adapter.validate_json(adapter.dump_json(actions)) == actions


def test_comment_reference_lives_after_the_identity_marker() -> None:
    body = fields("P0").body
    ref = CommentRef(7, comment_digest(COMMENT))
    with_ref = with_comment_ref(body, ref)
    assert with_ref.splitlines()[:2] == [marker("P0"), ref.render()]
    assert with_comment_ref(with_ref, CommentRef(8, "0" * 16)).count("metrics-comment") == 1
    assert with_comment_ref(with_ref, None) == body
    assert comment_matches(ref.render(), COMMENT) and not comment_matches(ref.render(), COMMENT + "x")
