"""Tokens and what they may do.

Two kinds of token, as on GitHub:

* ``classic`` — a personal access token with OAuth *scopes* (``repo``, ``public_repo``,
  ``project``, ``read:project`` …). Responses carry ``X-OAuth-Scopes``. Writing to a repository
  needs ``repo`` (or ``public_repo`` for a public one), otherwise GitHub answers **404** to hide
  the repository. GraphQL fields of ``ProjectV2*`` types need ``read:project`` or ``project``;
  project mutations need ``project``; a miss is a GraphQL error of type ``INSUFFICIENT_SCOPES``
  and nothing executes.
* ``installation`` — an app installation token such as Actions' ``GITHUB_TOKEN``, with
  *permissions* (``issues:write``, ``contents:write``, ``organization_projects:write`` …). A
  missing permission is **403** ``Resource not accessible by integration`` (REST) or a GraphQL
  error of type ``FORBIDDEN``. It can never reach projects owned by a *user* account, which is
  why the SPEC asks for a classic token with ``project`` scope for personal boards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TokenKind = Literal["classic", "installation"]

#: Scopes of the default token the fixture hands out: enough for everything the sync does.
DEFAULT_SCOPES = frozenset({"repo", "project", "read:org", "workflow"})
#: Permissions of Actions' ``GITHUB_TOKEN`` with ``issues: write`` and ``contents: write``.
ACTIONS_PERMISSIONS = frozenset({"issues:write", "contents:write", "metadata:read"})

NOT_ACCESSIBLE = "Resource not accessible by integration"


@dataclass(frozen=True)
class Token:
    value: str
    login: str
    scopes: frozenset[str]
    kind: TokenKind = "classic"

    def can_write_repo(self, area: Literal["issues", "contents"], *, private: bool) -> bool:
        """May this token write issues/labels/milestones (``issues``) or refs/releases (``contents``)?"""
        if self.kind == "installation":
            return f"{area}:write" in self.scopes
        return "repo" in self.scopes or (not private and "public_repo" in self.scopes)

    def project_scope_problem(self, *, write: bool) -> str | None:
        """``None`` if a classic token may read (or write) Projects v2, else the missing scope."""
        if self.kind == "installation":
            return None  # installation tokens are judged per owner, see can_reach_projects_of
        if write:
            return None if "project" in self.scopes else "project"
        return None if self.scopes & {"project", "read:project"} else "read:project"

    def can_reach_projects_of(self, owner_type: str, *, write: bool) -> bool:
        """Installation tokens reach organization projects with a permission, never user ones."""
        if self.kind == "classic":
            return True
        if owner_type != "Organization":
            return False
        wanted = (
            {"organization_projects:write"}
            if write
            else {
                "organization_projects:read",
                "organization_projects:write",
            }
        )
        return bool(self.scopes & wanted)


def parse_authorization(header: str | None) -> str | None:
    """The token in ``Authorization: token X`` / ``Bearer X`` (case-insensitive scheme), else None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return None


def insufficient_scopes_message(field: str, needed: str, token: Token) -> str:
    granted = ", ".join(f"'{s}'" for s in sorted(token.scopes))
    return (
        "Your token has not been granted the required scopes to execute this query. "
        f"The '{field}' field requires one of the following scopes: ['{needed}'], "
        f"but your token has only been granted the: [{granted}] scopes. "
        "Please modify your token's scopes at: https://github.com/settings/tokens."
    )
