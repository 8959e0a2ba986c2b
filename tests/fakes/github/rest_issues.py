"""REST handlers for issues, issue comments, labels and milestones.

Behaviour mirrors GitHub where a client could notice:

* issue numbers are per repository and never reused; listing defaults to ``state=open``,
  newest first, and filters ``labels`` (all must match, case-insensitive) and ``milestone``
  (a number, ``*`` or ``none``);
* creating or updating an issue with an unknown label name creates the label (colour ``ededed``);
  an unknown milestone number is 422 ``invalid``;
* closing sets ``closed_at``, ``closed_by`` and ``state_reason`` (default ``completed``);
  reopening sets ``state_reason: reopened``; ``state_reason`` alone is ignored, as documented;
* label names are unique case-insensitively and milestone titles exactly: a duplicate is
  422 ``already_exists``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from . import rest_shapes as shapes
from .routing import Call, Reply, not_found, paginate, validation_failed
from .state import Account, Comment, Issue, Label, Milestone, Repository

_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")


# ---- issues --------------------------------------------------------------------------------------


def list_issues(call: Call) -> Reply:
    repo, q = call.repo(), call.query
    state = q.get("state", "open")
    issues = [i for i in repo.issues.values() if state == "all" or i.state == state]
    if q.get("labels"):
        wanted = {n.strip().lower() for n in q["labels"].split(",") if n.strip()}
        issues = [i for i in issues if wanted <= {lb.name.lower() for lb in i.labels}]
    milestone = q.get("milestone")
    if milestone == "*":
        issues = [i for i in issues if i.milestone is not None]
    elif milestone == "none":
        issues = [i for i in issues if i.milestone is None]
    elif milestone:
        issues = [i for i in issues if i.milestone is not None and str(i.milestone.number) == milestone]
    if q.get("creator"):
        issues = [i for i in issues if i.user.login.lower() == q["creator"].lower()]
    if q.get("since"):
        since = datetime.fromisoformat(q["since"].replace("Z", "+00:00"))
        issues = [i for i in issues if i.updated_at >= since]
    sort = q.get("sort", "created")

    def sort_key(i: Issue) -> tuple[Any, int]:
        if sort == "updated":
            return (i.updated_at, i.number)
        if sort == "comments":
            return (len(i.comments), i.number)
        return (i.created_at, i.number)

    issues.sort(key=sort_key, reverse=q.get("direction", "desc") == "desc")
    return paginate(call, [shapes.issue(i, repo, call.ctx.urls, call.ctx.api_version) for i in issues])


def get_issue(call: Call) -> Reply:
    repo = call.repo()
    issue = repo.issues.get(call.int_param("issue_number"))
    if issue is None:
        raise not_found()
    return Reply(200, shapes.issue(issue, repo, call.ctx.urls, call.ctx.api_version))


def create_issue(call: Call) -> Reply:
    repo, body, ctx = call.repo(), call.body, call.ctx
    title = str(body["title"])
    if not title.strip():
        raise validation_failed("Issue", "title", "missing_field")
    now = ctx.state.clock()
    issue_id = ctx.state.new_id()
    issue = Issue(
        id=issue_id,
        node_id="",
        number=repo.next_number,
        title=title,
        body=body.get("body"),
        user=ctx.actor,
        created_at=now,
        updated_at=now,
        labels=_labels(call, repo, body.get("labels") or []),
        milestone=_milestone(repo, body.get("milestone")),
        assignees=_assignees(call, body),
        repo=repo,
    )
    issue.node_id = ctx.state.new_node_id("I_kwDO", issue, issue_id)
    repo.issues[issue.number] = issue
    repo.next_number += 1
    rendered = shapes.issue(issue, repo, ctx.urls, ctx.api_version)
    return Reply(201, rendered, {"Location": rendered["url"]})


def update_issue(call: Call) -> Reply:
    repo, body, ctx = call.repo(), call.body or {}, call.ctx
    issue = repo.issues.get(call.int_param("issue_number"))
    if issue is None:
        raise not_found()
    now = ctx.state.clock()
    if body.get("title") is not None:
        issue.title = str(body["title"])
    if "body" in body:
        issue.body = body["body"]
    if "labels" in body:
        issue.labels = _labels(call, repo, body["labels"] or [])
    if "milestone" in body:
        issue.milestone = _milestone(repo, body["milestone"])
    if "assignees" in body or "assignee" in body:
        issue.assignees = _assignees(call, body)
    new_state = body.get("state")
    if new_state is not None and new_state != issue.state:
        issue.state = new_state
        if new_state == "closed":
            issue.closed_at, issue.closed_by = now, ctx.actor
            issue.state_reason = body.get("state_reason") or "completed"
        else:
            issue.closed_at, issue.closed_by = None, None
            issue.state_reason = "reopened"
    issue.updated_at = now
    return Reply(200, shapes.issue(issue, repo, ctx.urls, ctx.api_version))


def _labels(call: Call, repo: Repository, items: list[Any]) -> list[Label]:
    labels: list[Label] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            raise validation_failed("Label", "name", "invalid", value=str(name))
        lb = repo.labels.get(name.lower()) or call.ctx.state.add_label(repo, name, "ededed", None)
        if lb not in labels:
            labels.append(lb)
    return labels


def _milestone(repo: Repository, value: Any) -> Milestone | None:
    if value is None or value == "":  # PyGithub removes a milestone by sending ""
        return None
    try:
        found = repo.milestones.get(int(value))
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise validation_failed("Issue", "milestone", "invalid", value=str(value))
    return found


def _assignees(call: Call, body: dict[str, Any]) -> list[Account]:
    logins: list[str] = list(body.get("assignees") or [])
    if body.get("assignee"):
        logins.insert(0, body["assignee"])
    people: list[Account] = []
    for login in logins:
        account = call.ctx.state.account(login)
        if account is None:
            raise validation_failed("Issue", "assignees", "invalid", value=login)
        if account not in people:
            people.append(account)
    return people


# ---- comments (list/get/update are unvalidated: not in the contract subset) ------------------------


def list_comments(call: Call) -> Reply:
    repo = call.repo()
    issue = repo.issues.get(call.int_param("issue_number"))
    if issue is None:
        raise not_found()
    comments = issue.comments
    if call.query.get("since"):
        since = datetime.fromisoformat(call.query["since"].replace("Z", "+00:00"))
        comments = [c for c in comments if c.updated_at >= since]
    return paginate(call, [shapes.comment(c, repo, call.ctx.urls) for c in comments])


def create_comment(call: Call) -> Reply:
    repo, ctx = call.repo(), call.ctx
    issue = repo.issues.get(call.int_param("issue_number"))
    if issue is None:
        raise not_found()
    text = call.body["body"]
    if not text.strip():
        raise validation_failed("IssueComment", "body", "missing_field")
    now = ctx.state.clock()
    comment_id = ctx.state.new_id()
    comment = Comment(comment_id, "", issue.number, text, ctx.actor, now, now)
    comment.node_id = ctx.state.new_node_id("IC_kwDO", comment, comment_id)
    issue.comments.append(comment)
    issue.updated_at = now
    rendered = shapes.comment(comment, repo, ctx.urls)
    return Reply(201, rendered, {"Location": rendered["url"]})


def get_comment(call: Call) -> Reply:
    repo = call.repo()
    found = repo.find_comment(call.int_param("comment_id"))
    if found is None:
        raise not_found()
    return Reply(200, shapes.comment(found[1], repo, call.ctx.urls))


def update_comment(call: Call) -> Reply:
    repo = call.repo()
    found = repo.find_comment(call.int_param("comment_id"))
    if found is None:
        raise not_found()
    text = (call.body or {}).get("body")
    if not isinstance(text, str) or not text.strip():
        raise validation_failed("IssueComment", "body", "missing_field")
    issue, comment = found
    comment.body = text
    comment.updated_at = issue.updated_at = call.ctx.state.clock()
    return Reply(200, shapes.comment(comment, repo, call.ctx.urls))


# ---- labels --------------------------------------------------------------------------------------


def list_labels(call: Call) -> Reply:
    repo = call.repo()
    labels = sorted(repo.labels.values(), key=lambda lb: lb.name.lower())
    return paginate(call, [shapes.label(lb, repo, call.ctx.urls) for lb in labels])


def create_label(call: Call) -> Reply:
    repo, body = call.repo(), call.body
    name, color = body["name"], body.get("color", "ededed")
    if not name.strip():
        raise validation_failed("Label", "name", "missing_field")
    if not _COLOR.match(color):
        raise validation_failed("Label", "color", "invalid")
    if name.lower() in repo.labels:
        raise validation_failed("Label", "name", "already_exists")
    lb = call.ctx.state.add_label(repo, name, color, body.get("description"))
    rendered = shapes.label(lb, repo, call.ctx.urls)
    return Reply(201, rendered, {"Location": rendered["url"]})


def get_label(call: Call) -> Reply:
    """Unvalidated: not in the contract subset."""
    repo = call.repo()
    lb = repo.labels.get(call.params["name"].lower())
    if lb is None:
        raise not_found()
    return Reply(200, shapes.label(lb, repo, call.ctx.urls))


def update_label(call: Call) -> Reply:
    """Unvalidated: not in the contract subset (``new_name``, ``color``, ``description``)."""
    repo, body = call.repo(), call.body or {}
    lb = repo.labels.get(call.params["name"].lower())
    if lb is None:
        raise not_found()
    if "color" in body:
        if not _COLOR.match(body["color"]):
            raise validation_failed("Label", "color", "invalid")
        lb.color = body["color"].lower()
    if "description" in body:
        lb.description = body["description"]
    new_name = body.get("new_name")
    if new_name and new_name != lb.name:
        if new_name.lower() in repo.labels and repo.labels[new_name.lower()] is not lb:
            raise validation_failed("Label", "name", "already_exists")
        del repo.labels[lb.name.lower()]
        lb.name = new_name
        repo.labels[new_name.lower()] = lb
    return Reply(200, shapes.label(lb, repo, call.ctx.urls))


# ---- milestones ----------------------------------------------------------------------------------


def list_milestones(call: Call) -> Reply:
    repo, q = call.repo(), call.query
    state = q.get("state", "open")
    items = [m for m in repo.milestones.values() if state == "all" or m.state == state]
    if q.get("sort", "due_on") == "completeness":

        def done(m: Milestone) -> float:
            issues = [i for i in repo.issues.values() if i.milestone is m]
            return sum(i.state == "closed" for i in issues) / len(issues) if issues else 0.0

        items.sort(key=lambda m: (done(m), m.number))
    else:
        items.sort(key=lambda m: (m.due_on is None, m.due_on or m.created_at, m.number))
    if q.get("direction", "asc") == "desc":
        items.reverse()
    return paginate(call, [shapes.milestone(m, repo, call.ctx.urls) for m in items])


def create_milestone(call: Call) -> Reply:
    repo, body, ctx = call.repo(), call.body, call.ctx
    title = body["title"]
    if not title.strip():
        raise validation_failed("Milestone", "title", "missing_field")
    if any(m.title == title for m in repo.milestones.values()):
        raise validation_failed("Milestone", "title", "already_exists")
    now = ctx.state.clock()
    milestone_id = ctx.state.new_id()
    state = body.get("state", "open")
    ms = Milestone(
        id=milestone_id,
        node_id="",
        number=repo.next_milestone_number,
        title=title,
        state=state,
        description=body.get("description"),
        due_on=_date(body.get("due_on")),
        creator=ctx.actor,
        created_at=now,
        updated_at=now,
        closed_at=now if state == "closed" else None,
    )
    ms.node_id = ctx.state.new_node_id("MI_kwDO", ms, milestone_id)
    repo.milestones[ms.number] = ms
    repo.next_milestone_number += 1
    rendered = shapes.milestone(ms, repo, ctx.urls)
    return Reply(201, rendered, {"Location": rendered["url"]})


def get_milestone(call: Call) -> Reply:
    """Unvalidated: not in the contract subset."""
    repo = call.repo()
    ms = repo.milestones.get(call.int_param("milestone_number"))
    if ms is None:
        raise not_found()
    return Reply(200, shapes.milestone(ms, repo, call.ctx.urls))


def update_milestone(call: Call) -> Reply:
    """Unvalidated: not in the contract subset (``title``, ``state``, ``description``, ``due_on``)."""
    repo, body = call.repo(), call.body or {}
    ms = repo.milestones.get(call.int_param("milestone_number"))
    if ms is None:
        raise not_found()
    now = call.ctx.state.clock()
    if body.get("title"):
        if any(m.title == body["title"] and m is not ms for m in repo.milestones.values()):
            raise validation_failed("Milestone", "title", "already_exists")
        ms.title = body["title"]
    if "description" in body:
        ms.description = body["description"]
    if "due_on" in body:
        ms.due_on = _date(body["due_on"])
    if body.get("state") in ("open", "closed") and body["state"] != ms.state:
        ms.state = body["state"]
        ms.closed_at = now if ms.state == "closed" else None
    ms.updated_at = now
    return Reply(200, shapes.milestone(ms, repo, call.ctx.urls))


def _date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise validation_failed("Milestone", "due_on", "invalid") from None
