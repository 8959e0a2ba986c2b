"""Pure: the hidden markers in issue bodies and comments that the sync writes and boards read back.

Below both the boards and the sync (both import it; it imports neither):

* ``<!-- llm-sprint:sprint=3.1 -->`` — the identity of a sprint's item (:func:`marker`);
* ``<!-- llm-sprint:metrics sprint=3.1 -->`` — first line of the metrics comment, so the comment can be
  found again by listing the issue's comments (after a crash, or if the reference below is lost);
* ``<!-- llm-sprint:metrics-comment id=123 digest=0123abcd… -->`` — a *reference* to that comment kept
  in the issue body: its id (to edit it without listing comments) and a digest of its text (to know
  whether it is up to date without reading it). A backend that stores only the reference reports it
  as the item's ``comment``; :func:`comment_matches` compares either form with the desired text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

__all__ = [
    "CommentRef",
    "comment_digest",
    "comment_matches",
    "marker",
    "metrics_marker",
    "normalize_text",
    "parse_comment_ref",
    "strip_comment_ref",
    "with_comment_ref",
]

_REF = re.compile(r"<!--\s*llm-sprint:metrics-comment\s+id=(?P<id>\d+)\s+digest=(?P<digest>[0-9a-f]{8,64})\s*-->")
_REF_LINE = re.compile(r"^[ \t]*<!--\s*llm-sprint:metrics-comment\b[^>]*-->[ \t]*\n?", re.MULTILINE)
_IDENTITY = re.compile(r"<!--\s*llm-sprint:sprint=[^\s>]+\s*-->")


def marker(sprint_id: str) -> str:
    """The hidden identity marker of a sprint's item."""
    return f"<!-- llm-sprint:sprint={sprint_id} -->"


def metrics_marker(sprint_id: str) -> str:
    """The first line of a sprint's metrics comment."""
    return f"<!-- llm-sprint:metrics sprint={sprint_id} -->"


def normalize_text(text: str) -> str:
    """Line endings and trailing blanks as GitHub's web editor may change them; compare with this."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def comment_digest(text: str) -> str:
    """A short, stable digest of a comment's text (normalized)."""
    return hashlib.sha256(normalize_text(text).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CommentRef:
    id: int
    digest: str

    def render(self) -> str:
        return f"<!-- llm-sprint:metrics-comment id={self.id} digest={self.digest} -->"


def parse_comment_ref(text: str | None) -> CommentRef | None:
    """The comment reference in an issue body (or a reference string itself), if any."""
    if not text:
        return None
    m = _REF.search(text)
    return CommentRef(int(m.group("id")), m.group("digest")) if m else None


def strip_comment_ref(body: str) -> str:
    """The body without its comment reference line."""
    return _REF_LINE.sub("", body)


def with_comment_ref(body: str, ref: CommentRef | None) -> str:
    """``body`` carrying ``ref`` on the line after the identity marker (replacing any older reference)."""
    body = strip_comment_ref(body)
    if ref is None:
        return body
    m = _IDENTITY.search(body)
    if m is None:
        return ref.render() + "\n" + body
    end = body.find("\n", m.end())
    if end < 0:
        return body + "\n" + ref.render()
    return body[: end + 1] + ref.render() + "\n" + body[end + 1 :]


def comment_matches(have: str | None, want: str) -> bool:
    """Is the comment the board has (its text, or a reference with a digest) the one we want?"""
    if have is None:
        return False
    ref = parse_comment_ref(have)
    if ref is not None and normalize_text(have) == normalize_text(ref.render()):
        return ref.digest == comment_digest(want)
    return normalize_text(have) == normalize_text(want)
