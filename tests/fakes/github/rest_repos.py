"""REST handlers for the repository, git refs/tags/commits/branches, releases, ``/rate_limit``, ``/user``.

A quarter release on GitHub is two git writes and one release: ``POST /git/tags`` (an annotated
tag *object*, which by itself is invisible), ``POST /git/refs`` with ``refs/tags/<tag>`` pointing
at that object, then ``POST /releases``. The fake keeps the same separation:

* ``GET /git/ref/tags/<tag>`` is 404 until the ref exists; creating an existing ref is 422
  ``Reference already exists``; a ref to an unknown SHA is 422 ``Object does not exist``.
* Publishing a release whose tag has no ref creates a *lightweight* tag at ``target_commitish``
  (default branch by default), as GitHub does; a second release for the same tag is 422
  ``already_exists``.
* ``GET /releases/tags/<tag>`` ignores drafts (404), as GitHub does — only the list shows them.
"""

from __future__ import annotations

from datetime import datetime

from . import rest_shapes as shapes
from .auth import NOT_ACCESSIBLE
from .routing import ApiError, Call, Reply, not_found, paginate, validation_failed
from .state import Commit, GitTag, Ref, Release, Repository

_REFS_DOCS = "https://docs.github.com/rest/git/refs#create-a-reference"


def get_repo(call: Call) -> Reply:
    return Reply(200, shapes.repository(call.repo(), call.ctx.urls, call.ctx.api_version))


# ---- refs ----------------------------------------------------------------------------------------


def create_ref(call: Call) -> Reply:
    repo, body = call.repo(), call.body
    name, sha = body["ref"], body["sha"]
    if not name.startswith("refs/") or name.count("/") < 2:
        raise ApiError(422, "Reference name is invalid", docs=_REFS_DOCS)
    if name in repo.refs:
        raise ApiError(422, "Reference already exists", docs=_REFS_DOCS)
    if sha in repo.commits:
        kind = "commit"
    elif sha in repo.tags:
        kind = "tag"
    else:
        raise ApiError(422, "Object does not exist", docs=_REFS_DOCS)
    ref = _add_ref(call, repo, name, sha, kind)
    rendered = shapes.git_ref(ref, repo, call.ctx.urls)
    return Reply(201, rendered, {"Location": rendered["url"]})


def _add_ref(call: Call, repo: Repository, name: str, sha: str, kind: str) -> Ref:
    ref = Ref(ref=name, node_id="", sha=sha, object_type=kind)
    ref.node_id = call.ctx.state.new_node_id("REF_kwDO", ref, call.ctx.state.new_id())
    repo.refs[name] = ref
    return ref


def get_ref(call: Call) -> Reply:
    """``GET /git/ref/{ref}`` — unvalidated: not in the contract subset. 404 when absent."""
    repo = call.repo()
    ref = repo.refs.get("refs/" + call.params["ref"])
    if ref is None:
        raise not_found()
    return Reply(200, shapes.git_ref(ref, repo, call.ctx.urls))


def get_refs_legacy(call: Call) -> Reply:
    """``GET /git/refs/{ref}`` — unvalidated. Exact match: the ref; a prefix: the list; else 404."""
    repo = call.repo()
    wanted = "refs/" + call.params["ref"]
    if wanted in repo.refs:
        return Reply(200, shapes.git_ref(repo.refs[wanted], repo, call.ctx.urls))
    matches = [r for name, r in sorted(repo.refs.items()) if name.startswith(wanted.rstrip("/") + "/")]
    if not matches:
        raise not_found()
    return Reply(200, [shapes.git_ref(r, repo, call.ctx.urls) for r in matches])


def matching_refs(call: Call) -> Reply:
    """``GET /git/matching-refs/{ref}`` — unvalidated. Always 200, possibly an empty list."""
    repo = call.repo()
    prefix = "refs/" + call.params["ref"]
    refs = [r for name, r in sorted(repo.refs.items()) if name.startswith(prefix)]
    return paginate(call, [shapes.git_ref(r, repo, call.ctx.urls) for r in refs])


# ---- annotated tags, commits, branches (unvalidated: not in the contract subset) -----------------


def create_tag(call: Call) -> Reply:
    repo, body, ctx = call.repo(), call.body or {}, call.ctx
    for key in ("tag", "message", "object", "type"):
        if not isinstance(body.get(key), str):
            raise validation_failed("Tag", key, "missing_field")
    if body["object"] not in repo.commits and body["object"] not in repo.tags:
        raise ApiError(422, "Object does not exist")
    tagger = body.get("tagger") or {}
    date = datetime.fromisoformat(tagger["date"].replace("Z", "+00:00")) if tagger.get("date") else ctx.state.clock()
    tag = GitTag(
        sha=ctx.state.new_sha(f"tag:{repo.full_name}:{body['tag']}"),
        node_id="",
        tag=body["tag"],
        message=body["message"],
        object_sha=body["object"],
        object_type=body["type"],
        tagger_name=tagger.get("name", ctx.actor.login),
        tagger_email=tagger.get("email", f"{ctx.actor.login}@users.noreply.example"),
        tagger_date=date,
    )
    tag.node_id = ctx.state.new_node_id("TAG_kwDO", tag, ctx.state.new_id())
    repo.tags[tag.sha] = tag
    rendered = shapes.git_tag(tag, repo, ctx.urls)
    return Reply(201, rendered, {"Location": rendered["url"]})


def get_tag(call: Call) -> Reply:
    repo = call.repo()
    tag = repo.tags.get(call.params["tag_sha"])
    if tag is None:
        raise not_found()
    return Reply(200, shapes.git_tag(tag, repo, call.ctx.urls))


def resolve_commit(repo: Repository, ref: str) -> Commit | None:
    """A commit from a SHA, a branch, ``heads/x``/``tags/x``/``refs/...`` or a tag name (peeled)."""
    if ref in repo.commits:
        return repo.commits[ref]
    if ref in repo.branches:
        return repo.commits[repo.branches[ref]]
    name = ref if ref.startswith("refs/") else f"refs/{ref}"
    found = repo.refs.get(name) or repo.refs.get(f"refs/tags/{ref}")
    sha = found.sha if found else None
    while sha in repo.tags:
        sha = repo.tags[sha].object_sha
    return repo.commits.get(sha) if sha else None


def get_commit(call: Call) -> Reply:
    repo = call.repo()
    found = resolve_commit(repo, call.params["ref"])
    if found is None:
        raise ApiError(422, f"No commit found for SHA: {call.params['ref']}")
    return Reply(200, shapes.commit(found, repo, call.ctx.urls))


def get_branch(call: Call) -> Reply:
    repo = call.repo()
    sha = repo.branches.get(call.params["branch"])
    if sha is None:
        raise ApiError(404, "Branch not found")
    return Reply(200, shapes.branch(call.params["branch"], repo.commits[sha], repo, call.ctx.urls))


# ---- releases ------------------------------------------------------------------------------------


def create_release(call: Call) -> Reply:
    repo, body, ctx = call.repo(), call.body, call.ctx
    tag_name = body["tag_name"]
    if any(r.tag_name == tag_name for r in repo.releases.values()):
        raise validation_failed("Release", "tag_name", "already_exists")
    now = ctx.state.clock()
    draft = bool(body.get("draft", False))
    release_id = ctx.state.new_id()
    release = Release(
        id=release_id,
        node_id="",
        tag_name=tag_name,
        target_commitish=body.get("target_commitish") or repo.default_branch,
        name=body.get("name"),
        body=body.get("body"),
        draft=draft,
        prerelease=bool(body.get("prerelease", False)),
        author=ctx.actor,
        created_at=now,
        published_at=None if draft else now,
        updated_at=now,
        make_latest=body.get("make_latest", "true"),
    )
    if not draft:
        _ensure_tag_ref(call, repo, release)
    release.node_id = ctx.state.new_node_id("RE_kwDO", release, release_id)
    repo.releases[release.id] = release
    rendered = shapes.release(release, repo, ctx.urls)
    return Reply(201, rendered, {"Location": rendered["url"]})


def _ensure_tag_ref(call: Call, repo: Repository, release: Release) -> None:
    name = f"refs/tags/{release.tag_name}"
    if name in repo.refs:
        return
    target = resolve_commit(repo, release.target_commitish)
    if target is None:
        raise validation_failed("Release", "target_commitish", "invalid")
    _add_ref(call, repo, name, target.sha, "commit")


def get_release_by_tag(call: Call) -> Reply:
    repo = call.repo()
    tag = call.params["tag"]
    release = next((r for r in repo.releases.values() if r.tag_name == tag and not r.draft), None)
    if release is None:
        raise not_found()
    return Reply(200, shapes.release(release, repo, call.ctx.urls))


def list_releases(call: Call) -> Reply:
    """Unvalidated: not in the contract subset. Newest first, drafts included."""
    repo = call.repo()
    releases = sorted(repo.releases.values(), key=lambda r: r.id, reverse=True)
    return paginate(call, [shapes.release(r, repo, call.ctx.urls) for r in releases])


def get_release(call: Call) -> Reply:
    """Unvalidated: not in the contract subset."""
    repo = call.repo()
    release = repo.releases.get(call.int_param("release_id"))
    if release is None:
        raise not_found()
    return Reply(200, shapes.release(release, repo, call.ctx.urls))


def update_release(call: Call) -> Reply:
    """Unvalidated: not in the contract subset. Publishing a draft creates its tag if needed."""
    repo, body = call.repo(), call.body or {}
    release = repo.releases.get(call.int_param("release_id"))
    if release is None:
        raise not_found()
    now = call.ctx.state.clock()
    for key in ("tag_name", "target_commitish", "name", "body", "prerelease", "make_latest"):
        if key in body:
            setattr(release, key, body[key])
    if body.get("draft") is False and release.draft:
        _ensure_tag_ref(call, repo, release)
        release.draft, release.published_at = False, now
    elif body.get("draft") is True:
        release.draft = True
    release.updated_at = now
    return Reply(200, shapes.release(release, repo, call.ctx.urls))


# ---- account and limits --------------------------------------------------------------------------


def rate_limit(call: Call) -> Reply:
    login = call.ctx.token.login
    buckets = {name: call.ctx.limits.bucket(login, name) for name in ("core", "search", "graphql")}
    return Reply(200, shapes.rate_limit_overview(buckets, call.ctx.api_version))


def authenticated_user(call: Call) -> Reply:
    """``GET /user`` — unvalidated: not in the contract subset."""
    if call.ctx.token.kind == "installation":
        raise ApiError(403, NOT_ACCESSIBLE)
    return Reply(200, shapes.authenticated_user(call.ctx.actor, call.ctx.urls))
