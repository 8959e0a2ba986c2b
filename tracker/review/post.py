"""Post the weekly review on the learner's pinned "Weekly review" issue: one comment per week, edited on re-runs.

Identity, as the sync does it: the issue carries the hidden marker ``<!-- llm-sprint:weekly-review-issue -->``
in its body (and the label ``weekly-review``, to find it in one query); the week's comment starts with
``<!-- llm-sprint:weekly-review week=N -->``. So a re-run of the same week finds its comment and edits
it (or leaves it alone when the text is the same), and a new week adds one comment.

Plan, then apply (:func:`plan_review` is pure): create the issue if there is none, pin it if it is not
pinned, add or edit the week's comment. Creating requests are never repeated blindly: when a request's
outcome is unknown (:class:`~tracker.errors.TransientBoardError`) the issue is read again and a fresh
plan made — a re-run after any failure converges, with no duplicate issue or comment.

Reads and the pin/comment writes are GraphQL (``pinIssue``, ``addComment``, ``updateIssueComment``);
the issue is created over REST (``POST /repos/{owner}/{repo}/issues``), which creates the label too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tracker.boards.github.transport import Transport
from tracker.digest import review_marker
from tracker.errors import BoardError, ProjectAccessError, RateLimitedError, SyncError, TransientBoardError
from tracker.markers import normalize_text

__all__ = ["ISSUE_MARKER", "REVIEW_LABEL", "ReviewIssue", "ReviewOutcome", "plan_review", "post_review"]

ISSUE_MARKER = "<!-- llm-sprint:weekly-review-issue -->"
ISSUE_TITLE = "Weekly review"
REVIEW_LABEL = "weekly-review"
ROUNDS = 4
ISSUE_BODY = (f"{ISSUE_MARKER}\nOne comment a week from the learner workflow (`sprint digest --post`): what "
              "passed, what regressed, what is behind the 12-week plan and what comes next. A re-run edits the "
              "week's comment; it never adds a second one.\n")

COMMENTS = "comments(last: 100) { nodes { id body } }"
READ = f"""
query($owner: String!, $name: String!) {{
  repository(owner: $owner, name: $name) {{
    pinnedIssues(first: 3) {{ nodes {{ issue {{ number }} }} }}
    issues(first: 10, labels: ["{REVIEW_LABEL}"], orderBy: {{field: CREATED_AT, direction: ASC}}) {{
      nodes {{ id number url body {COMMENTS} }}
    }}
  }}
}}
"""
# when the label was taken off the issue by hand: look for the marker among the newest issues
SCAN = f"""
query($owner: String!, $name: String!) {{
  repository(owner: $owner, name: $name) {{
    pinnedIssues(first: 3) {{ nodes {{ issue {{ number }} }} }}
    issues(first: 100, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
      nodes {{ id number url body {COMMENTS} }}
    }}
  }}
}}
"""
PIN = "mutation($id: ID!) { pinIssue(input: {issueId: $id}) { issue { number } } }"
ADD = "mutation($id: ID!, $body: String!) { addComment(input: {subjectId: $id, body: $body}) " \
      "{ commentEdge { node { id } } } }"
EDIT = "mutation($id: ID!, $body: String!) { updateIssueComment(input: {id: $id, body: $body}) " \
       "{ issueComment { id } } }"


@dataclass
class ReviewIssue:
    """The review issue as read: its ids, whether it is pinned, and its comments (id, body)."""

    id: str
    number: int
    url: str
    pinned: bool
    comments: list[tuple[str, str]] = field(default_factory=list)


Step = Literal["create-issue", "pin", "add-comment", "edit-comment"]


def _week_comment(issue: ReviewIssue, week: int) -> tuple[str, str] | None:
    marker = review_marker(week)
    return next(((cid, body) for cid, body in issue.comments if body.lstrip().startswith(marker)), None)


def plan_review(issue: ReviewIssue | None, week: int, text: str) -> list[Step]:
    """Pure: what to do so the issue exists, is pinned, and holds ``text`` as week ``week``'s one comment."""
    if issue is None:
        return ["create-issue", "pin", "add-comment"]
    steps: list[Step] = [] if issue.pinned else ["pin"]
    mine = _week_comment(issue, week)
    if mine is None:
        steps.append("add-comment")
    elif normalize_text(mine[1]) != normalize_text(text):
        steps.append("edit-comment")
    return steps


@dataclass
class ReviewOutcome:
    repo: str
    week: int
    issue: int | None = None
    url: str = ""
    created_issue: bool = False
    comment: str = "unchanged"  # "added", "edited", "unchanged"
    pinned: bool = False
    warnings: list[str] = field(default_factory=list)
    requests: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"repo": self.repo, "week": self.week, "issue": self.issue, "url": self.url,
                "created_issue": self.created_issue, "comment": self.comment, "pinned": self.pinned,
                "warnings": self.warnings, "requests": self.requests}


def _parse(repo: dict[str, Any]) -> ReviewIssue | None:
    pinned = {int(n["issue"]["number"]) for n in (repo.get("pinnedIssues") or {}).get("nodes") or []
              if isinstance(n, dict) and n.get("issue")}
    found = [n for n in (repo.get("issues") or {}).get("nodes") or []
             if isinstance(n, dict) and ISSUE_MARKER in str(n.get("body") or "")]
    if not found:
        return None
    first = min(found, key=lambda n: int(n["number"]))
    comments = [(str(c["id"]), str(c.get("body") or "")) for c in (first.get("comments") or {}).get("nodes") or []
                if isinstance(c, dict)]
    return ReviewIssue(str(first["id"]), int(first["number"]), str(first.get("url") or ""),
                       int(first["number"]) in pinned, comments)


class _Poster:
    def __init__(self, transport: Transport, repo: str) -> None:
        self.t = transport
        self.repo = repo
        self.owner, self.name = repo.split("/", 1)

    def read(self) -> ReviewIssue | None:
        variables = {"owner": self.owner, "name": self.name}
        for document in (READ, SCAN):
            result = self.t.graphql(document, variables, what=f"reading the weekly review issue of {self.repo}")
            repo = result.data.get("repository")
            if not isinstance(repo, dict):
                message = "; ".join(str(e.get("message")) for e in result.errors[:2]) or "no answer"
                raise BoardError(self.t.redact(f"reading {self.repo}: {message}"))
            found = _parse(repo)
            if found is not None:
                return found
        return None

    def create(self) -> ReviewIssue:
        r = self.t.rest("POST", f"/repos/{self.owner}/{self.name}/issues", what="creating the weekly review issue",
                        body={"title": ISSUE_TITLE, "body": ISSUE_BODY, "labels": [REVIEW_LABEL]})
        data = r.data if isinstance(r.data, dict) else {}
        return ReviewIssue(str(data["node_id"]), int(data["number"]), str(data.get("html_url") or ""), False)

    def mutate(self, document: str, variables: dict[str, Any], what: str) -> None:
        result = self.t.graphql(document, variables, mutation=True, what=what)
        if result.errors:
            first = result.errors[0]
            raise BoardError(self.t.redact(f"{what}: {first.get('message') or first.get('type')}"))


def post_review(transport: Transport, repo: str, week: int, text: str) -> ReviewOutcome:
    """Make week ``week``'s comment on the review issue of ``repo`` say ``text`` (idempotent)."""
    poster = _Poster(transport, repo)
    outcome = ReviewOutcome(repo=repo, week=week)
    reasons: list[str] = []
    for _ in range(ROUNDS):
        try:
            issue = poster.read()
            steps = plan_review(issue, week, text)
            if issue is not None:
                outcome.issue, outcome.url, outcome.pinned = issue.number, issue.url, issue.pinned
            if not steps or (steps == ["pin"] and outcome.warnings):
                outcome.requests = transport.requests
                return outcome
            for step in steps:
                if step == "create-issue":
                    issue = poster.create()
                    outcome.created_issue = True
                    outcome.issue, outcome.url = issue.number, issue.url
                elif step == "pin":
                    assert issue is not None
                    try:
                        poster.mutate(PIN, {"id": issue.id}, f"pinning issue #{issue.number}")
                        outcome.pinned = True
                    except (ProjectAccessError, BoardError) as exc:
                        if isinstance(exc, TransientBoardError | RateLimitedError):
                            raise
                        if not outcome.warnings:
                            outcome.warnings.append(f"the review issue #{issue.number} is not pinned ({exc}); pin it "
                                                    "by hand on GitHub if you like")
                elif step == "add-comment":
                    assert issue is not None
                    poster.mutate(ADD, {"id": issue.id, "body": text}, f"commenting on issue #{issue.number}")
                    outcome.comment = "added"
                else:
                    assert issue is not None
                    found = _week_comment(issue, week)
                    assert found is not None
                    poster.mutate(EDIT, {"id": found[0], "body": text}, f"editing the week {week} comment")
                    outcome.comment = "edited"
            outcome.requests = transport.requests
            return outcome
        except TransientBoardError as exc:
            reasons.append(str(exc))  # the outcome is unknown: read the issue again before anything else
            continue
        except ProjectAccessError as exc:
            raise BoardError(f"{exc} — the token may not write this repository's issues: the workflow needs "
                             "`permissions: issues: write`") from None
    raise SyncError(f"the weekly review of {repo} did not settle after {ROUNDS} rounds: " + "; ".join(reasons[-2:])
                    + ". What was posted is kept; run it again.")
