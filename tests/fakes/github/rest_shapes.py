"""REST JSON shapes: render state objects the way GitHub's REST API does.

Each function returns plain JSON data shaped like GitHub's (ids, ``node_id``, ``url``,
``html_url``, nested ``user``/``labels``/``milestone`` objects, ISO timestamps). Shapes of
operations in the contract subset are checked against it on every response; the others
(comments list/update, git tags, commits, branches, ``/user``) follow GitHub's documentation.

``api_version`` matters: from ``2026-03-10`` GitHub drops ``issue.assignee``,
``repository.has_downloads``/``use_squash_pr_title_as_default`` and ``rate`` in ``/rate_limit``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .limits import Bucket
from .routing import Urls
from .state import (
    Account,
    Comment,
    Commit,
    GitTag,
    Issue,
    Label,
    Milestone,
    Ref,
    Release,
    Repository,
    iso,
)

NEW_API = "2026-03-10"


def user(u: Account, urls: Urls) -> dict[str, Any]:
    api = f"{urls.api}/users/{u.login}"
    return {
        "login": u.login,
        "id": u.id,
        "node_id": u.node_id,
        "avatar_url": f"{urls.web}/avatars/u/{u.id}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{urls.web}/{u.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": u.type,
        "site_admin": False,
        "user_view_type": "public",
    }


def authenticated_user(u: Account, urls: Urls) -> dict[str, Any]:
    """``GET /user`` (unvalidated: not in the contract subset)."""
    return {
        **user(u, urls),
        "name": u.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": 1,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
    }


def repository(repo: Repository, urls: Urls, api_version: str) -> dict[str, Any]:
    api = f"{urls.api}/repos/{repo.full_name}"
    html = f"{urls.web}/{repo.full_name}"
    templated = {
        "archive_url": "/{archive_format}{/ref}",
        "assignees_url": "/assignees{/user}",
        "blobs_url": "/git/blobs{/sha}",
        "branches_url": "/branches{/branch}",
        "collaborators_url": "/collaborators{/collaborator}",
        "comments_url": "/comments{/number}",
        "commits_url": "/commits{/sha}",
        "compare_url": "/compare/{base}...{head}",
        "contents_url": "/contents/{+path}",
        "contributors_url": "/contributors",
        "deployments_url": "/deployments",
        "downloads_url": "/downloads",
        "events_url": "/events",
        "forks_url": "/forks",
        "git_commits_url": "/git/commits{/sha}",
        "git_refs_url": "/git/refs{/sha}",
        "git_tags_url": "/git/tags{/sha}",
        "hooks_url": "/hooks",
        "issue_comment_url": "/issues/comments{/number}",
        "issue_events_url": "/issues/events{/number}",
        "issues_url": "/issues{/number}",
        "keys_url": "/keys{/key_id}",
        "labels_url": "/labels{/name}",
        "languages_url": "/languages",
        "merges_url": "/merges",
        "milestones_url": "/milestones{/number}",
        "notifications_url": "/notifications{?since,all,participating}",
        "pulls_url": "/pulls{/number}",
        "releases_url": "/releases{/id}",
        "stargazers_url": "/stargazers",
        "statuses_url": "/statuses/{sha}",
        "subscribers_url": "/subscribers",
        "subscription_url": "/subscription",
        "tags_url": "/tags",
        "teams_url": "/teams",
        "trees_url": "/git/trees{/sha}",
    }
    open_issues = sum(1 for i in repo.issues.values() if i.state == "open")
    created = iso(repo.created_at)
    body: dict[str, Any] = {
        "id": repo.id,
        "node_id": repo.node_id,
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": user(repo.owner, urls),
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "html_url": html,
        "description": repo.description,
        "fork": False,
        "url": api,
        **{key: api + suffix for key, suffix in templated.items()},
        "git_url": f"git://127.0.0.1/{repo.full_name}.git",
        "ssh_url": f"git@127.0.0.1:{repo.full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "size": 1,
        "default_branch": repo.default_branch,
        "open_issues": open_issues,
        "open_issues_count": open_issues,
        "is_template": False,
        "topics": list(repo.topics),
        "has_issues": True,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": repo.archived,
        "disabled": False,
        "pushed_at": iso(repo.pushed_at) or created,
        "created_at": created,
        "updated_at": created,
        "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
        "allow_rebase_merge": True,
        "allow_squash_merge": True,
        "allow_merge_commit": True,
        "allow_auto_merge": False,
        "delete_branch_on_merge": False,
        "allow_forking": True,
        "use_squash_pr_title_as_default": False,
        "web_commit_signoff_required": False,
        "license": None,
        "network_count": 0,
        "subscribers_count": 0,
    }
    if repo.owner.type == "Organization":
        body["organization"] = user(repo.owner, urls)
    if api_version >= NEW_API:
        del body["has_downloads"], body["use_squash_pr_title_as_default"]
    return body


def label(lb: Label, repo: Repository, urls: Urls) -> dict[str, Any]:
    return {
        "id": lb.id,
        "node_id": lb.node_id,
        "url": f"{urls.api}/repos/{repo.full_name}/labels/{quote(lb.name, safe='')}",
        "name": lb.name,
        "color": lb.color,
        "default": lb.default,
        "description": lb.description,
    }


def milestone(ms: Milestone, repo: Repository, urls: Urls) -> dict[str, Any]:
    api = f"{urls.api}/repos/{repo.full_name}/milestones/{ms.number}"
    issues = [i for i in repo.issues.values() if i.milestone is ms]
    return {
        "url": api,
        "html_url": f"{urls.web}/{repo.full_name}/milestone/{ms.number}",
        "labels_url": f"{api}/labels",
        "id": ms.id,
        "node_id": ms.node_id,
        "number": ms.number,
        "state": ms.state,
        "title": ms.title,
        "description": ms.description,
        "creator": user(ms.creator, urls),
        "open_issues": sum(1 for i in issues if i.state == "open"),
        "closed_issues": sum(1 for i in issues if i.state == "closed"),
        "created_at": iso(ms.created_at),
        "updated_at": iso(ms.updated_at),
        "closed_at": iso(ms.closed_at),
        "due_on": iso(ms.due_on),
    }


def issue(i: Issue, repo: Repository, urls: Urls, api_version: str) -> dict[str, Any]:
    repo_api = f"{urls.api}/repos/{repo.full_name}"
    api = f"{repo_api}/issues/{i.number}"
    body: dict[str, Any] = {
        "id": i.id,
        "node_id": i.node_id,
        "url": api,
        "repository_url": repo_api,
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{urls.web}/{repo.full_name}/issues/{i.number}",
        "timeline_url": f"{api}/timeline",
        "number": i.number,
        "state": i.state,
        "state_reason": i.state_reason,
        "title": i.title,
        "body": i.body,
        "user": user(i.user, urls),
        "labels": [label(lb, repo, urls) for lb in i.labels],
        "assignee": user(i.assignees[0], urls) if i.assignees else None,
        "assignees": [user(a, urls) for a in i.assignees],
        "milestone": milestone(i.milestone, repo, urls) if i.milestone else None,
        "locked": False,
        "active_lock_reason": None,
        "comments": len(i.comments),
        "closed_at": iso(i.closed_at),
        "created_at": iso(i.created_at),
        "updated_at": iso(i.updated_at),
        "closed_by": user(i.closed_by, urls) if i.closed_by else None,
        "author_association": "OWNER",
    }
    if api_version >= NEW_API:
        del body["assignee"]
    return body


def comment(c: Comment, repo: Repository, urls: Urls) -> dict[str, Any]:
    repo_api = f"{urls.api}/repos/{repo.full_name}"
    return {
        "id": c.id,
        "node_id": c.node_id,
        "url": f"{repo_api}/issues/comments/{c.id}",
        "html_url": f"{urls.web}/{repo.full_name}/issues/{c.issue_number}#issuecomment-{c.id}",
        "issue_url": f"{repo_api}/issues/{c.issue_number}",
        "body": c.body,
        "user": user(c.user, urls),
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "author_association": "OWNER",
    }


def git_ref(ref: Ref, repo: Repository, urls: Urls) -> dict[str, Any]:
    repo_api = f"{urls.api}/repos/{repo.full_name}"
    kind = "tags" if ref.object_type == "tag" else "commits"
    return {
        "ref": ref.ref,
        "node_id": ref.node_id,
        "url": f"{repo_api}/git/{ref.ref}",
        "object": {"type": ref.object_type, "sha": ref.sha, "url": f"{repo_api}/git/{kind}/{ref.sha}"},
    }


def git_tag(tag: GitTag, repo: Repository, urls: Urls) -> dict[str, Any]:
    """``POST/GET /git/tags`` (unvalidated: not in the contract subset)."""
    repo_api = f"{urls.api}/repos/{repo.full_name}"
    kind = "tags" if tag.object_type == "tag" else "commits"
    return {
        "node_id": tag.node_id,
        "tag": tag.tag,
        "sha": tag.sha,
        "url": f"{repo_api}/git/tags/{tag.sha}",
        "message": tag.message,
        "tagger": {"name": tag.tagger_name, "email": tag.tagger_email, "date": iso(tag.tagger_date)},
        "object": {"type": tag.object_type, "sha": tag.object_sha, "url": f"{repo_api}/git/{kind}/{tag.object_sha}"},
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def commit(c: Commit, repo: Repository, urls: Urls) -> dict[str, Any]:
    """``GET /commits/{ref}`` (unvalidated: not in the contract subset)."""
    repo_api = f"{urls.api}/repos/{repo.full_name}"
    person = {"name": repo.owner.login, "email": f"{repo.owner.login}@users.noreply.example", "date": iso(c.date)}
    return {
        "sha": c.sha,
        "node_id": f"C_{c.sha[:16]}",
        "url": f"{repo_api}/commits/{c.sha}",
        "html_url": f"{urls.web}/{repo.full_name}/commit/{c.sha}",
        "comments_url": f"{repo_api}/commits/{c.sha}/comments",
        "commit": {
            "url": f"{repo_api}/git/commits/{c.sha}",
            "author": person,
            "committer": person,
            "message": c.message,
            "tree": {"sha": c.tree_sha, "url": f"{repo_api}/git/trees/{c.tree_sha}"},
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
        },
        "author": user(repo.owner, urls),
        "committer": user(repo.owner, urls),
        "parents": [{"sha": p, "url": f"{repo_api}/commits/{p}"} for p in c.parents],
        "stats": {"total": 0, "additions": 0, "deletions": 0},
        "files": [],
    }


def branch(name: str, c: Commit, repo: Repository, urls: Urls) -> dict[str, Any]:
    """``GET /branches/{branch}`` (unvalidated: not in the contract subset)."""
    repo_api = f"{urls.api}/repos/{repo.full_name}"
    return {
        "name": name,
        "commit": commit(c, repo, urls),
        "_links": {"self": f"{repo_api}/branches/{name}", "html": f"{urls.web}/{repo.full_name}/tree/{name}"},
        "protected": False,
        "protection_url": f"{repo_api}/branches/{name}/protection",
    }


def release(r: Release, repo: Repository, urls: Urls) -> dict[str, Any]:
    api = f"{urls.api}/repos/{repo.full_name}/releases/{r.id}"
    html_tag = f"{urls.web}/{repo.full_name}/releases/tag/{r.tag_name}"
    return {
        "url": api,
        "html_url": html_tag,
        "assets_url": f"{api}/assets",
        "upload_url": f"{urls.api}/repos/{repo.full_name}/releases/{r.id}/assets{{?name,label}}",
        "tarball_url": None if r.draft else f"{urls.api}/repos/{repo.full_name}/tarball/{r.tag_name}",
        "zipball_url": None if r.draft else f"{urls.api}/repos/{repo.full_name}/zipball/{r.tag_name}",
        "id": r.id,
        "node_id": r.node_id,
        "tag_name": r.tag_name,
        "target_commitish": r.target_commitish,
        "name": r.name,
        "body": r.body,
        "draft": r.draft,
        "prerelease": r.prerelease,
        "immutable": False,
        "created_at": iso(r.created_at),
        "published_at": iso(r.published_at),
        "updated_at": iso(r.updated_at),
        "author": user(r.author, urls),
        "assets": [],
    }


def rate_limit_overview(buckets: dict[str, Bucket], api_version: str) -> dict[str, Any]:
    def one(b: Bucket) -> dict[str, int]:
        return {"limit": b.limit, "remaining": b.remaining, "reset": b.reset_epoch, "used": b.used}

    body: dict[str, Any] = {"resources": {name: one(b) for name, b in buckets.items()}}
    if api_version < NEW_API:
        body["rate"] = one(buckets["core"])
    return body
