"""The REST route table: which handler serves which ``METHOD /path``, and under which contract.

``operation_id`` set → the request and the response are validated against the OpenAPI subset.
``operation_id=None`` → *unvalidated: not in the contract subset*; the handler follows GitHub's
documented shape by hand. Routes are tried in order; a template's literal segments never
collide with another's parameter here, so the order only matters for readability.
"""

from __future__ import annotations

from . import rest_issues as issues
from . import rest_repos as repos
from .routing import Route

R = "/repos/{owner}/{repo}"

ROUTES: tuple[Route, ...] = (
    # repository
    Route("GET", R, repos.get_repo, "repos/get"),
    # issues
    Route("GET", f"{R}/issues", issues.list_issues, "issues/list-for-repo"),
    Route("POST", f"{R}/issues", issues.create_issue, "issues/create", "issues", creates=True),
    Route("GET", f"{R}/issues/comments/{{comment_id}}", issues.get_comment),
    Route("PATCH", f"{R}/issues/comments/{{comment_id}}", issues.update_comment, None, "issues"),
    Route("GET", f"{R}/issues/{{issue_number}}", issues.get_issue, "issues/get"),
    Route("PATCH", f"{R}/issues/{{issue_number}}", issues.update_issue, "issues/update", "issues"),
    Route("GET", f"{R}/issues/{{issue_number}}/comments", issues.list_comments),
    Route(
        "POST",
        f"{R}/issues/{{issue_number}}/comments",
        issues.create_comment,
        "issues/create-comment",
        "issues",
        creates=True,
    ),
    # labels
    Route("GET", f"{R}/labels", issues.list_labels, "issues/list-labels-for-repo"),
    Route("POST", f"{R}/labels", issues.create_label, "issues/create-label", "issues", creates=True),
    Route("GET", f"{R}/labels/{{name}}", issues.get_label),
    Route("PATCH", f"{R}/labels/{{name}}", issues.update_label, None, "issues"),
    # milestones
    Route("GET", f"{R}/milestones", issues.list_milestones, "issues/list-milestones"),
    Route("POST", f"{R}/milestones", issues.create_milestone, "issues/create-milestone", "issues", creates=True),
    Route("GET", f"{R}/milestones/{{milestone_number}}", issues.get_milestone),
    Route("PATCH", f"{R}/milestones/{{milestone_number}}", issues.update_milestone, None, "issues"),
    # git
    Route("POST", f"{R}/git/refs", repos.create_ref, "git/create-ref", "contents", creates=True),
    Route("GET", f"{R}/git/ref/{{ref+}}", repos.get_ref),
    Route("GET", f"{R}/git/refs/{{ref+}}", repos.get_refs_legacy),
    Route("GET", f"{R}/git/matching-refs/{{ref+}}", repos.matching_refs),
    Route("POST", f"{R}/git/tags", repos.create_tag, None, "contents", creates=True),
    Route("GET", f"{R}/git/tags/{{tag_sha}}", repos.get_tag),
    Route("GET", f"{R}/commits/{{ref+}}", repos.get_commit),
    Route("GET", f"{R}/branches/{{branch+}}", repos.get_branch),
    # releases
    Route("GET", f"{R}/releases", repos.list_releases),
    Route("POST", f"{R}/releases", repos.create_release, "repos/create-release", "contents", creates=True),
    Route("GET", f"{R}/releases/tags/{{tag+}}", repos.get_release_by_tag, "repos/get-release-by-tag"),
    Route("GET", f"{R}/releases/{{release_id}}", repos.get_release),
    Route("PATCH", f"{R}/releases/{{release_id}}", repos.update_release, None, "contents"),
    # account and limits
    Route("GET", "/rate_limit", repos.rate_limit, "rate-limit/get"),
    Route("GET", "/user", repos.authenticated_user),
)
