"""The fake's world: accounts, repositories, issues, git objects, releases and Projects (v2).

Plain dataclasses, no HTTP and no JSON shapes: ``rest_shapes`` and ``graphql_views`` render them.
Every mutation happens under :attr:`FakeState.lock` (the server takes it for each request), so
tests may read the state between requests without racing the server.

Identifiers follow GitHub's conventions closely enough for clients to be fooled:
database ids are integers unique across the fake, node ids are opaque strings with GitHub's
type prefixes (``I_kwDO…`` for issues, ``PVT_kwDO…`` for projects, ``PVTSSF_lADO…`` for
single-select fields), single-select option ids are 8 hex characters, and git SHAs are 40 hex.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

AccountType = Literal["User", "Organization", "Bot"]

#: The Status options GitHub gives every new project (the fake mirrors GitHub's template).
DEFAULT_STATUS_OPTIONS: tuple[tuple[str, str], ...] = (("Todo", "GREEN"), ("In Progress", "YELLOW"), ("Done", "PURPLE"))
#: Built-in fields every new project has, besides Status: (name, dataType).
DEFAULT_BUILTIN_FIELDS: tuple[tuple[str, str], ...] = (
    ("Title", "TITLE"),
    ("Assignees", "ASSIGNEES"),
    ("Labels", "LABELS"),
    ("Linked pull requests", "LINKED_PULL_REQUESTS"),
    ("Milestone", "MILESTONE"),
    ("Repository", "REPOSITORY"),
    ("Reviewers", "REVIEWERS"),
    ("Parent issue", "PARENT_ISSUE"),
    ("Sub-issues progress", "SUB_ISSUES_PROGRESS"),
)


def utcnow() -> datetime:
    """Wall-clock time, truncated to seconds like GitHub's timestamps."""
    return datetime.now(UTC).replace(microsecond=0)


@lru_cache(maxsize=8192)
def git_blob_sha(text: str) -> str:
    """The git object id of a blob holding ``text`` (UTF-8), as ``git hash-object`` computes it."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def iso(ts: datetime | None) -> str | None:
    """``2024-01-31T12:00:00Z`` (GitHub's format) or ``None``."""
    return None if ts is None else ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Account:
    login: str
    id: int
    node_id: str
    type: AccountType
    name: str | None = None
    #: Organization members (logins); empty for users.
    members: set[str] = field(default_factory=set)


@dataclass
class Label:
    id: int
    node_id: str
    name: str
    color: str
    description: str | None
    default: bool = False


@dataclass
class Milestone:
    id: int
    node_id: str
    number: int
    title: str
    state: str
    description: str | None
    due_on: datetime | None
    creator: Account
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None


@dataclass
class Comment:
    id: int
    node_id: str
    issue_number: int
    body: str
    user: Account
    created_at: datetime
    updated_at: datetime


@dataclass
class Issue:
    id: int
    node_id: str
    number: int
    title: str
    body: str | None
    user: Account
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    state_reason: str | None = None
    labels: list[Label] = field(default_factory=list)
    milestone: Milestone | None = None
    assignees: list[Account] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    closed_at: datetime | None = None
    closed_by: Account | None = None
    repo: Repository | None = field(default=None, repr=False)


@dataclass
class Commit:
    sha: str
    message: str
    tree_sha: str
    date: datetime
    parents: list[str] = field(default_factory=list)


@dataclass
class GitTag:
    """An annotated tag object (``POST /git/tags``); a ref must still point at it."""

    sha: str
    node_id: str
    tag: str
    message: str
    object_sha: str
    object_type: str
    tagger_name: str
    tagger_email: str
    tagger_date: datetime


@dataclass
class Ref:
    ref: str
    node_id: str
    sha: str
    object_type: str  # "commit" or "tag"


@dataclass
class Release:
    id: int
    node_id: str
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    author: Account
    created_at: datetime
    published_at: datetime | None
    updated_at: datetime
    make_latest: str = "true"


@dataclass
class Repository:
    id: int
    node_id: str
    owner: Account
    name: str
    private: bool
    description: str | None
    default_branch: str
    created_at: datetime
    labels: dict[str, Label] = field(default_factory=dict)  # key: lower-cased name
    milestones: dict[int, Milestone] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)  # name -> commit sha
    refs: dict[str, Ref] = field(default_factory=dict)  # "refs/tags/v0.1" -> Ref
    tags: dict[str, GitTag] = field(default_factory=dict)  # tag object sha -> GitTag
    releases: dict[int, Release] = field(default_factory=dict)
    next_number: int = 1  # issues (and pull requests, which the fake has none of) share numbers
    next_milestone_number: int = 1
    archived: bool = False
    topics: list[str] = field(default_factory=list)
    #: logins with access to a private repository besides its owner (and an organization's members)
    collaborators: set[str] = field(default_factory=set)
    #: the default branch's tree: path -> file content (text files only; see FakeState.set_file)
    files: dict[str, str] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)  # pinned issue numbers, in pin order (GitHub allows 3)
    pushed_at: datetime | None = None

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"

    def readable_by(self, login: str, scopes: frozenset[str], kind: str) -> bool:
        """May a token of ``login`` see this repository? Public: anyone. Private: the owner, an
        organization member or a collaborator — with a classic token only if it has the ``repo`` scope
        (``public_repo`` does not reach private repositories); installation tokens are not scoped here."""
        if not self.private:
            return True
        if kind == "classic" and "repo" not in scopes:
            return False
        if kind == "installation":
            return True
        who = login.lower()
        return (who == self.owner.login.lower() or who in {m.lower() for m in self.owner.members}
                or who in {c.lower() for c in self.collaborators})

    def find_comment(self, comment_id: int) -> tuple[Issue, Comment] | None:
        for issue in self.issues.values():
            for comment in issue.comments:
                if comment.id == comment_id:
                    return issue, comment
        return None


@dataclass
class SingleSelectOption:
    id: str
    name: str
    color: str
    description: str


@dataclass
class ProjectField:
    id: int
    node_id: str
    name: str
    data_type: str  # ProjectV2FieldType: TITLE, SINGLE_SELECT, TEXT, NUMBER, DATE, ...
    created_at: datetime
    updated_at: datetime
    options: list[SingleSelectOption] = field(default_factory=list)
    project: Project | None = field(default=None, repr=False)

    def option(self, option_id: str) -> SingleSelectOption | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass
class ProjectItem:
    id: int
    node_id: str
    content: Issue
    created_at: datetime
    updated_at: datetime
    #: field node id -> stored value (option id for single-select, str/float for text/number/date)
    values: dict[str, str | float] = field(default_factory=dict)
    archived: bool = False
    project: Project | None = field(default=None, repr=False)


@dataclass
class Project:
    id: int
    node_id: str
    number: int
    owner: Account
    title: str
    created_at: datetime
    updated_at: datetime
    closed: bool = False
    public: bool = False
    short_description: str | None = None
    readme: str | None = None
    fields: list[ProjectField] = field(default_factory=list)
    items: list[ProjectItem] = field(default_factory=list)
    repositories: list[Repository] = field(default_factory=list)

    def field_by_name(self, name: str) -> ProjectField | None:
        return next((f for f in self.fields if f.name.lower() == name.lower()), None)

    def item_for(self, content: Issue) -> ProjectItem | None:
        return next((i for i in self.items if i.content is content), None)


class FakeState:
    """Everything the fake GitHub knows. Mutate only while holding :attr:`lock`."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.accounts: dict[str, Account] = {}  # lower-cased login -> account
        self.repos: dict[tuple[str, str], Repository] = {}  # (owner, name), lower-cased
        self.projects: list[Project] = []
        self.nodes: dict[str, object] = {}  # node id -> object, for GraphQL `node(id:)`
        #: Counts option ids replaced by ``updateProjectV2Field`` while items held them.
        self.orphaned_values = 0
        self._ids = itertools.count(1001)
        self._shas = itertools.count(1)

    # ---- identifiers -------------------------------------------------------------------------

    def new_id(self) -> int:
        return next(self._ids)

    def new_node_id(self, prefix: str, obj: object, database_id: int) -> str:
        """Register ``obj`` under a fresh GitHub-looking node id such as ``I_kwDOAAAD6Q``."""
        raw = database_id.to_bytes(6, "big")
        node_id = f"{prefix}{base64.urlsafe_b64encode(raw).decode().rstrip('=')}"
        self.nodes[node_id] = obj
        return node_id

    def new_sha(self, seed: str) -> str:
        return hashlib.sha1(f"{seed}:{next(self._shas)}".encode()).hexdigest()

    def new_option_id(self) -> str:
        return hashlib.sha1(f"option:{self.new_id()}".encode()).hexdigest()[:8]

    # ---- lookups -----------------------------------------------------------------------------

    def account(self, login: str) -> Account | None:
        return self.accounts.get(login.lower())

    def repo(self, owner: str, name: str) -> Repository | None:
        return self.repos.get((owner.lower(), name.lower()))

    def projects_of(self, owner: Account) -> list[Project]:
        return [p for p in self.projects if p.owner is owner]

    def project(self, owner: Account, number: int) -> Project | None:
        return next((p for p in self.projects_of(owner) if p.number == number), None)

    def issue_by_node(self, node_id: str) -> Issue | None:
        obj = self.nodes.get(node_id)
        return obj if isinstance(obj, Issue) else None

    # ---- creation (used by seeding, REST and GraphQL alike) ------------------------------------

    def add_account(self, login: str, type_: AccountType = "User", name: str | None = None) -> Account:
        existing = self.account(login)
        if existing is not None:
            return existing
        account_id = self.new_id()
        prefix = {"User": "U_kgDO", "Organization": "O_kgDO", "Bot": "BOT_kgDO"}[type_]
        account = Account(login=login, id=account_id, node_id="", type=type_, name=name)
        account.node_id = self.new_node_id(prefix, account, account_id)
        self.accounts[login.lower()] = account
        return account

    def add_repo(
        self,
        owner: Account,
        name: str,
        *,
        private: bool = False,
        default_branch: str = "main",
        description: str | None = None,
    ) -> Repository:
        existing = self.repo(owner.login, name)
        if existing is not None:
            return existing
        repo_id = self.new_id()
        now = self.clock()
        repo = Repository(
            id=repo_id,
            node_id="",
            owner=owner,
            name=name,
            private=private,
            description=description,
            default_branch=default_branch,
            created_at=now,
        )
        repo.node_id = self.new_node_id("R_kgDO", repo, repo_id)
        head = self.new_sha(f"commit:{owner.login}/{name}")
        tree = self.new_sha(f"tree:{owner.login}/{name}")
        repo.commits[head] = Commit(sha=head, message="Initial commit", tree_sha=tree, date=now)
        repo.branches[default_branch] = head
        ref = f"refs/heads/{default_branch}"
        repo.refs[ref] = Ref(ref=ref, node_id="", sha=head, object_type="commit")
        repo.refs[ref].node_id = self.new_node_id("REF_kwDO", repo.refs[ref], self.new_id())
        self.repos[(owner.login.lower(), name.lower())] = repo
        return repo

    def set_file(self, repo: Repository, path: str, text: str | None, message: str = "") -> Commit:
        """Commit ``text`` at ``path`` on the default branch (``None`` deletes it): a new commit, the
        branch moves to it, and ``object(expression: "HEAD:<path>")`` sees the new blob."""
        if text is None:
            repo.files.pop(path, None)
        else:
            repo.files[path] = text
        parent = repo.branches.get(repo.default_branch)
        now = self.clock()
        sha = self.new_sha(f"commit:{repo.full_name}:{path}")
        commit = Commit(sha=sha, message=message or f"update {path}", tree_sha=self.new_sha("tree"), date=now,
                        parents=[parent] if parent else [])
        repo.commits[sha] = commit
        repo.branches[repo.default_branch] = sha
        ref = repo.refs.get(f"refs/heads/{repo.default_branch}")
        if ref is not None:
            ref.sha = sha
        repo.pushed_at = now
        return commit

    def add_issue(self, repo: Repository, author: Account, title: str, body: str = "", *,
                  labels: tuple[str, ...] = (), closed: bool = False) -> Issue:
        """Seed an issue (labels created as needed), optionally closed as completed."""
        now = self.clock()
        issue_id = self.new_id()
        found = [repo.labels.get(n.lower()) or self.add_label(repo, n, "ededed", None) for n in labels]
        issue = Issue(id=issue_id, node_id="", number=repo.next_number, title=title, body=body, user=author,
                      created_at=now, updated_at=now, labels=found, repo=repo)
        issue.node_id = self.new_node_id("I_kwDO", issue, issue_id)
        if closed:
            issue.state, issue.state_reason, issue.closed_at, issue.closed_by = "closed", "completed", now, author
        repo.issues[issue.number] = issue
        repo.next_number += 1
        return issue

    def add_release(self, repo: Repository, author: Account, tag: str, name: str = "", body: str = "", *,
                    draft: bool = False) -> Release:
        """Seed a published (or draft) release with a lightweight tag at the default branch's head."""
        now = self.clock()
        release_id = self.new_id()
        release = Release(id=release_id, node_id="", tag_name=tag, target_commitish=repo.default_branch,
                          name=name or tag, body=body, draft=draft, prerelease=False, author=author, created_at=now,
                          published_at=None if draft else now, updated_at=now)
        release.node_id = self.new_node_id("RE_kwDO", release, release_id)
        repo.releases[release.id] = release
        ref = f"refs/tags/{tag}"
        if not draft and ref not in repo.refs:
            head = repo.branches[repo.default_branch]
            repo.refs[ref] = Ref(ref=ref, node_id="", sha=head, object_type="commit")
            repo.refs[ref].node_id = self.new_node_id("REF_kwDO", repo.refs[ref], self.new_id())
        return release

    def add_label(self, repo: Repository, name: str, color: str, description: str | None) -> Label:
        label_id = self.new_id()
        label = Label(id=label_id, node_id="", name=name, color=color.lower(), description=description)
        label.node_id = self.new_node_id("LA_kwDO", label, label_id)
        repo.labels[name.lower()] = label
        return label

    def add_project(self, owner: Account, title: str, *, with_default_fields: bool = True) -> Project:
        """A new project, numbered per owner, with GitHub's default fields (Title, Status, …)."""
        project_id = self.new_id()
        now = self.clock()
        number = 1 + max((p.number for p in self.projects_of(owner)), default=0)
        project = Project(
            id=project_id, node_id="", number=number, owner=owner, title=title, created_at=now, updated_at=now
        )
        project.node_id = self.new_node_id("PVT_kwDO", project, project_id)
        self.projects.append(project)
        if with_default_fields:
            for name, data_type in DEFAULT_BUILTIN_FIELDS[:1]:
                self.add_field(project, name, data_type)
            status = self.add_field(project, "Status", "SINGLE_SELECT")
            status.options = [self.new_option(n, c, "") for n, c in DEFAULT_STATUS_OPTIONS]
            for name, data_type in DEFAULT_BUILTIN_FIELDS[1:]:
                self.add_field(project, name, data_type)
        return project

    def new_option(self, name: str, color: str, description: str) -> SingleSelectOption:
        return SingleSelectOption(id=self.new_option_id(), name=name, color=color, description=description)

    def add_field(self, project: Project, name: str, data_type: str) -> ProjectField:
        field_id = self.new_id()
        now = self.clock()
        prefix = "PVTSSF_lADO" if data_type == "SINGLE_SELECT" else "PVTF_lADO"
        project_field = ProjectField(
            id=field_id, node_id="", name=name, data_type=data_type, created_at=now, updated_at=now, project=project
        )
        project_field.node_id = self.new_node_id(prefix, project_field, field_id)
        project.fields.append(project_field)
        return project_field

    def add_item(self, project: Project, content: Issue) -> ProjectItem:
        """Idempotent like ``addProjectV2ItemById``: the same content yields the same item."""
        existing = project.item_for(content)
        if existing is not None:
            return existing
        item_id = self.new_id()
        now = self.clock()
        item = ProjectItem(id=item_id, node_id="", content=content, created_at=now, updated_at=now, project=project)
        item.node_id = self.new_node_id("PVTI_lADO", item, item_id)
        project.items.append(item)
        project.updated_at = now
        return item

    def replace_options(self, project_field: ProjectField, options: list[SingleSelectOption]) -> int:
        """Replace a single-select field's options the way GitHub does: every option gets a new id.

        Item values that pointed at the old ids are dropped (GitHub shows such cards with no
        status). Returns how many item values were orphaned; also adds it to :attr:`orphaned_values`.
        """
        project_field.options = options
        project_field.updated_at = self.clock()
        orphaned = 0
        project = project_field.project
        for item in project.items if project else []:
            value = item.values.get(project_field.node_id)
            if isinstance(value, str) and project_field.option(value) is None:
                del item.values[project_field.node_id]
                orphaned += 1
        self.orphaned_values += orphaned
        return orphaned
