"""Tags and releases of the repository, and the commits they point at.

A release is an annotated tag (a ``git/tags`` object, then its ``git/refs`` ref) and a published
release on it. Each step is looked for before it is made, and "already exists" (422) counts as
done, so publishing a quarter twice — or after a crash between the steps — creates nothing twice.
"""

from __future__ import annotations

from tracker.board_model import Release
from tracker.boards.github.transport import Transport
from tracker.errors import BoardError

__all__ = ["Releases"]


class Releases:
    """The tags, releases and commits of one repository (OWNER/NAME)."""

    def __init__(self, t: Transport, repo: str) -> None:
        self.t = t
        self.repo = repo

    @property
    def _path(self) -> str:
        return f"/repos/{self.repo}"

    def ensure(self, release: Release) -> tuple[bool, bool]:
        """Tag ``release.tag`` and publish the release, each unless it exists: (tag created, release created)."""
        tag_created = release_created = False
        r = self.t.rest("GET", f"{self._path}/git/ref/tags/{release.tag}", expect=(404,),
                        what=f"looking for tag {release.tag}")
        if r.status == 404:
            if not release.sha:
                raise BoardError(f"tag {release.tag}: no commit to tag")
            tag = self.t.rest("POST", f"{self._path}/git/tags", what=f"creating tag object {release.tag}", body={
                "tag": release.tag, "message": f"{release.name}\n", "object": release.sha, "type": "commit"})
            ref = self.t.rest("POST", f"{self._path}/git/refs", expect=(422,), what=f"creating tag {release.tag}",
                              body={"ref": f"refs/tags/{release.tag}", "sha": str(tag.data["sha"])})
            if ref.status == 422 and "already exists" not in str((ref.data or {}).get("message", "")).lower():
                raise BoardError(self.t.redact(f"creating tag {release.tag}: {(ref.data or {}).get('message')}"))
            tag_created = ref.status == 201
        r = self.t.rest("GET", f"{self._path}/releases/tags/{release.tag}", expect=(404,),
                        what=f"looking for release {release.tag}")
        if r.status == 404:
            created = self.t.rest("POST", f"{self._path}/releases", expect=(422,),
                                  what=f"publishing release {release.tag}",
                                  body={"tag_name": release.tag, "name": release.name, "body": release.notes,
                                        "draft": False, "prerelease": False})
            if created.status == 422 and "already_exists" not in str(created.data):
                raise BoardError(self.t.redact(f"publishing release {release.tag}: {created.data}"))
            release_created = created.status == 201
        return tag_created, release_created

    def exists(self, tag: str) -> tuple[bool, bool]:
        """(tag exists, release exists)."""
        tag_r = self.t.rest("GET", f"{self._path}/git/ref/tags/{tag}", expect=(404,), what=f"looking for tag {tag}")
        rel_r = self.t.rest("GET", f"{self._path}/releases/tags/{tag}", expect=(404,),
                            what=f"looking for release {tag}")
        return tag_r.status != 404, rel_r.status != 404

    def default_branch_head(self) -> str:
        repo = self.t.rest("GET", self._path, what=f"reading {self.repo}")
        branch = str(repo.data.get("default_branch") or "main")
        b = self.t.rest("GET", f"{self._path}/branches/{branch}", what=f"reading branch {branch}")
        return str(b.data["commit"]["sha"])

    def commit_of(self, ref: str) -> str | None:
        """The commit a tag or branch points at (tags peeled), or None."""
        r = self.t.rest("GET", f"{self._path}/commits/{ref}", expect=(404, 422), what=f"reading {ref}")
        return str(r.data["sha"]) if r.status == 200 and isinstance(r.data, dict) else None

    def commit_exists(self, sha: str) -> bool:
        r = self.t.rest("GET", f"{self._path}/commits/{sha}", expect=(404, 422), what=f"looking for commit {sha}")
        return r.status == 200
