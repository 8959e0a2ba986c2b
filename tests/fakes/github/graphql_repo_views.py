"""GraphQL views of what a repository holds besides issues and projects, and of finding repositories.

:class:`RepoViews` is a mixin of :class:`graphql_views.Views`, used by mentors' cohort reads and the
weekly review:

* ``Repository.object(expression: "HEAD:progress.json")`` → a ``Blob`` (``oid`` is the real git blob
  id of the text, ``text``, ``byteSize``, ``isTruncated``, ``isBinary``) or ``null`` when the path is
  absent, as on GitHub; ``<rev>`` may be ``HEAD``, the default branch or ``refs/heads/<default>``
  (other branches are ``null``: the fake has one branch with files). A bare ``HEAD`` is the ``Commit``.
* ``releases(orderBy: {field: CREATED_AT|NAME, direction})`` (drafts only for tokens that may write
  the repository's contents, as on GitHub), ``latestRelease``; ``repositoryTopics``;
  ``pinnedIssues`` and ``Issue.isPinned``; ``Issue.comments`` (``IssueComment``).
* ``search(type: REPOSITORY, query:)`` with the qualifiers ``topic:``, ``org:``, ``user:``,
  ``repo:``, ``archived:``, ``is:public``/``is:private`` and plain words (matched in the name or
  description); at most 1,000 results are reachable, while ``repositoryCount`` says how many
  matched — GitHub's search limit. Other search types and qualifiers are reported as not modelled.
* ``Organization.repositories`` / ``User.repositories`` (``isArchived``, ``privacy`` filters).

Every listing and lookup shows a private repository only to tokens that may read it
(:meth:`state.Repository.readable_by`); to the others it does not exist (``NOT_FOUND``), which is
how GitHub hides private repositories.
"""

from __future__ import annotations

from typing import Any

from .graphql_base import FieldNotModelled, GitHubError, GraphQLContext, View, connection, paged
from .state import Account, Comment, Issue, Release, Repository, git_blob_sha, iso

#: the fake truncates ``Blob.text`` here (GitHub truncates large blobs too; its exact limit is not published)
BLOB_TEXT_LIMIT = 512 * 1024
SEARCH_LIMIT = 1000  # GitHub's search API returns the first 1,000 results only


class RepoViews:
    """Repository contents, releases, topics, pins, comments and repository search."""

    ctx: GraphQLContext

    def account(self, account: Account) -> View:
        raise NotImplementedError

    def repository(self, repo: Repository) -> View:
        raise NotImplementedError

    def issue(self, issue: Issue) -> View:
        raise NotImplementedError

    # ---- access ------------------------------------------------------------------------------

    def can_read(self, repo: Repository) -> bool:
        token = self.ctx.token
        return repo.readable_by(token.login, token.scopes, token.kind)

    def readable(self, repos: list[Repository]) -> list[Repository]:
        return [r for r in repos if self.can_read(r)]

    # ---- git objects ---------------------------------------------------------------------------

    def git_object(self, repo: Repository, expression: str | None = None, oid: str | None = None) -> View | None:
        if oid is not None or expression is None:
            raise FieldNotModelled("Repository.object(oid:)")
        rev, sep, path = expression.partition(":")
        default = repo.default_branch
        if rev not in ("HEAD", default, f"refs/heads/{default}"):
            return None  # another branch, a tag or a sha: the fake's files live on the default branch only
        head = repo.branches.get(default)
        if not sep:
            commit = repo.commits.get(head or "")
            if commit is None:
                return None
            return View(__typename="Commit", id=f"C_{commit.sha}", oid=commit.sha, abbreviatedOid=commit.sha[:7],
                        message=commit.message, committedDate=iso(commit.date))
        text = repo.files.get(path)
        if text is None:
            return None
        data = text.encode()
        sha = git_blob_sha(text)
        truncated = len(data) > BLOB_TEXT_LIMIT
        shown = data[:BLOB_TEXT_LIMIT].decode(errors="ignore") if truncated else text
        return View(__typename="Blob", id=f"B_{sha}", oid=sha, abbreviatedOid=sha[:7], byteSize=len(data),
                    isBinary=False, isTruncated=truncated, text=shown)

    # ---- releases, topics, pins, comments ------------------------------------------------------

    def releases(self, repo: Repository) -> Any:
        def resolve(first: int | None = None, last: int | None = None, after: str | None = None,
                    before: str | None = None, orderBy: dict[str, str] | None = None, **_: Any) -> View:
            may_see_drafts = self.ctx.token.can_write_repo("contents", private=repo.private)
            found = [r for r in repo.releases.values() if may_see_drafts or not r.draft]
            if orderBy is not None:
                key = (lambda r: (r.tag_name, r.id)) if orderBy.get("field") == "NAME" else \
                    (lambda r: (r.created_at, r.id))
                found.sort(key=key, reverse=orderBy.get("direction") == "DESC")
            return connection(found, lambda r: self.release(repo, r), first, last, after, before)

        return resolve

    def latest_release(self, repo: Repository) -> View | None:
        published = [r for r in repo.releases.values() if not r.draft and not r.prerelease]
        latest = max(published, key=lambda r: (r.created_at, r.id), default=None)
        return self.release(repo, latest) if latest else None

    def release(self, repo: Repository, rel: Release) -> View:
        latest = self.latest_release_id(repo)
        return View(
            __typename="Release", id=rel.node_id, databaseId=rel.id, tagName=rel.tag_name, name=rel.name,
            description=rel.body, url=f"{self.ctx.urls.web}/{repo.full_name}/releases/tag/{rel.tag_name}",
            isDraft=rel.draft, isPrerelease=rel.prerelease, isLatest=rel.id == latest,
            createdAt=iso(rel.created_at), publishedAt=iso(rel.published_at), updatedAt=iso(rel.updated_at),
        )

    @staticmethod
    def latest_release_id(repo: Repository) -> int | None:
        published = [r for r in repo.releases.values() if not r.draft and not r.prerelease]
        latest = max(published, key=lambda r: (r.created_at, r.id), default=None)
        return latest.id if latest else None

    def topics(self, repo: Repository) -> Any:
        def topic(name: str) -> View:
            return View(__typename="RepositoryTopic", id=f"RT_{repo.node_id}_{name}",
                        url=f"{self.ctx.urls.web}/topics/{name}", resourcePath=f"/topics/{name}",
                        topic=View(__typename="Topic", id=f"T_{name}", name=name))

        return paged(lambda: repo.topics, topic)

    def pinned_issues(self, repo: Repository) -> Any:
        def pinned(number: int) -> View:
            issue = repo.issues[number]
            return View(__typename="PinnedIssue", id=f"PIN_{issue.node_id}", issue=self.issue(issue),
                        repository=lambda: self.repository(repo))

        return paged(lambda: [n for n in repo.pinned if n in repo.issues], pinned)

    def comments(self, issue: Issue) -> Any:
        return paged(lambda: issue.comments, lambda c: self.comment(issue, c))

    def comment(self, issue: Issue, c: Comment) -> View:
        repo = issue.repo
        url = f"{self.ctx.urls.web}/{repo.full_name}/issues/{issue.number}#issuecomment-{c.id}" if repo else ""
        return View(__typename="IssueComment", id=c.node_id, databaseId=c.id, body=c.body, url=url,
                    createdAt=iso(c.created_at), updatedAt=iso(c.updated_at), author=lambda: self.account(c.user),
                    viewerDidAuthor=c.user.login.lower() == self.ctx.token.login.lower(),
                    issue=lambda: self.issue(issue))

    # ---- finding repositories -------------------------------------------------------------------

    def repositories_of(self, account: Account) -> Any:
        def resolve(first: int | None = None, last: int | None = None, after: str | None = None,
                    before: str | None = None, isArchived: bool | None = None, privacy: str | None = None,
                    isFork: bool | None = None, **_: Any) -> View:
            found = [r for r in self.ctx.state.repos.values() if r.owner is account]
            found = sorted(self.readable(found), key=lambda r: r.id)
            if isArchived is not None:
                found = [r for r in found if r.archived == isArchived]
            if privacy is not None:
                found = [r for r in found if r.private == (privacy == "PRIVATE")]
            if isFork:
                found = []  # the fake has no forks
            return connection(found, self.repository, first, last, after, before)

        return resolve

    def search(self, query: str, type: str, first: int | None = None, last: int | None = None,
               after: str | None = None, before: str | None = None, **_: Any) -> View:
        if type != "REPOSITORY":
            raise FieldNotModelled(f"Query.search(type: {type})")
        matches = sorted((r for r in self.ctx.state.repos.values() if _matches(r, query)), key=lambda r: r.id)
        matches = self.readable(matches)
        found = connection(matches[:SEARCH_LIMIT], self.repository, first, last, after, before)
        found.update(repositoryCount=len(matches), issueCount=0, userCount=0, codeCount=0, wikiCount=0,
                     discussionCount=0)
        return found


def _matches(repo: Repository, query: str) -> bool:
    """GitHub's repository search, for the qualifiers the fake models (see the module docstring)."""
    for term in query.split():
        key, sep, value = term.partition(":")
        key, value = key.lower(), value.lower()
        if not sep:
            text = f"{repo.name} {repo.description or ''}".lower()
            if term.lower() not in text:
                return False
        elif key == "topic":
            if value not in {t.lower() for t in repo.topics}:
                return False
        elif key in ("org", "user"):
            if repo.owner.login.lower() != value or (key == "org") != (repo.owner.type == "Organization"):
                return False
        elif key == "repo":
            if repo.full_name.lower() != value:
                return False
        elif key == "archived":
            if value not in ("true", "false"):
                raise GitHubError("UNPROCESSABLE", f"archived:{value} must be true or false")
            if repo.archived != (value == "true"):
                return False
        elif key == "is" and value in ("public", "private"):
            if repo.private != (value == "private"):
                return False
        elif key == "fork" and value in ("true", "false"):
            continue  # the fake has no forks: every repository is a source
        else:
            raise FieldNotModelled(f"search qualifier {key}:")
    return True
