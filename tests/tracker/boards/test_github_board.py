"""The GitHub board's pure parts: issue ↔ item translation, GraphQL documents, Status mapping, the transport's
error translation (tokens never leak)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from tests.fakes.github.graphql_api import github_schema
from tests.fakes.github.server import FakeGitHub
from tracker.boards.github import projects as pj
from tracker.boards.github.cache import SyncCache
from tracker.boards.github.issues import parse_checklist, parse_issue
from tracker.boards.github.transport import Transport
from tracker.errors import BoardAuthError, TransientBoardError
from tracker.markers import CommentRef, marker

BODY = f"""{marker("2.1")}
{CommentRef(99, "0123456789abcdef").render()}
**Q2** · 2 weeks

### What must work
- [x] The loader streams every record
- [ ] A dataset card is published _(tick by hand)_
- [X] Cyrillic survives _(tick by hand)_

### 12-week targets served
- [ ] not a checklist item
"""


def test_an_issue_becomes_an_item_with_its_checklist_and_comment_reference() -> None:
    raw = {"number": 7, "node_id": "I_1", "html_url": "https://x/7", "title": "[2.1] Data", "state": "closed",
           "body": BODY.replace("\n", "\r\n"), "comments": 2, "labels": [{"name": "llm-sprint"}, {"name": "Q2"}],
           "milestone": {"number": 2, "title": "Q2 — Data (v0.2)"}}
    rec = parse_issue(raw)
    assert rec is not None and rec.sprint_id == "2.1" and rec.closed and rec.comments == 2
    assert rec.comment_ref == CommentRef(99, "0123456789abcdef") and "metrics-comment" not in rec.body
    fields = rec.fields()
    assert fields.labels == ["llm-sprint", "Q2"] and fields.milestone == "Q2 — Data (v0.2)"
    assert [(e.text, e.checked, e.manual) for e in fields.checklist] == [
        ("The loader streams every record", True, False),
        ("A dataset card is published", False, True),
        ("Cyrillic survives", True, True),
    ]


@pytest.mark.parametrize("raw", [
    {"number": 1, "title": "a pull request", "body": marker("P0"), "pull_request": {}},
    {"number": 2, "title": "someone's issue", "body": "no marker here"},
    {"number": 3, "title": "empty", "body": None},
])
def test_issues_that_are_not_ours_are_ignored(raw: dict[str, object]) -> None:
    assert parse_issue(raw) is None


def test_a_body_without_the_section_is_read_whole() -> None:
    assert [e.text for e in parse_checklist("- [ ] one\n* [x] two\n")] == ["one", "two"]


def test_every_graphql_document_is_valid_against_githubs_schema() -> None:
    schema = github_schema()
    documents = [pj.read_document(kind, by_number=n, same_owner=kind == "repo")
                 for kind in ("repo", "user", "organization") for n in (True, False)]
    documents += [pj.MORE_ITEMS, pj.CREATE_PROJECT, pj.LINK_PROJECT, pj.SET_OPTIONS, pj.CREATE_STATUS_FIELD,
                  pj.add_items_document(3), pj.set_status_document(3)]
    for doc in documents:
        assert validate(schema, parse(doc)) == [], doc


def test_status_mapping_prefers_exact_names_and_uses_aliases_only_when_options_cannot_change() -> None:
    ours = {"To Learn": "a", "In Progress": "b", "Done": "c"}
    defaults = {"Todo": "x", "In Progress": "y", "Done": "z"}
    assert pj.status_mapping(ours, allow_aliases=False) == {c: c for c in ours}
    assert pj.status_mapping(defaults, allow_aliases=False) is None
    assert pj.status_mapping(defaults, allow_aliases=True) == {"To Learn": "Todo", "In Progress": "In Progress",
                                                               "Done": "Done"}
    assert pj.status_mapping({"Backlog": "1", "Blocked": "2"}, allow_aliases=True) is None


def test_option_inputs_carry_the_required_description() -> None:
    assert [o["name"] for o in pj.option_inputs()] == ["To Learn", "In Progress", "Done"]
    assert all(o["description"] and o["color"] in ("GRAY", "YELLOW", "GREEN") for o in pj.option_inputs())


def test_transport_translates_errors_without_the_token(fake_github: FakeGitHub) -> None:
    secret = "ghp_" + "s3cr3t" * 6
    t = Transport(api_url=fake_github.url, token=secret)
    with pytest.raises(BoardAuthError) as caught:
        t.rest("GET", "/repos/octo-learner/roadmap/issues")
    assert "401" in str(caught.value) and secret not in repr(caught.value) and caught.value.__cause__ is None
    assert secret not in repr(t)
    t.close()
    dead = Transport(api_url="http://127.0.0.1:9", token=secret, sleep=lambda _s: None)
    with pytest.raises(TransientBoardError) as lost:
        dead.rest("GET", "/repos/octo-learner/roadmap")
    assert "tries" in str(lost.value) and secret not in str(lost.value)
    dead.close()
    with pytest.raises(BoardAuthError):
        Transport(api_url=fake_github.url, token="")


def test_the_cache_survives_a_restart_and_ignores_garbage(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    cache = SyncCache(path, "scope")
    cache.store_page("/x?page=1", 'W/"1"', [1, 2], "")
    cache.store_fact("owner-kind:o", "user")
    cache.save()
    again = SyncCache(path, "scope")
    page = again.page("/x?page=1")
    assert page is not None and page.data == [1, 2] and again.fact("owner-kind:o") == "user"
    assert SyncCache(path, "other").page("/x?page=1") is None
    path.write_text("{not json")
    assert SyncCache(path, "scope").page("/x?page=1") is None
