"""`sprint sync` against the fake GitHub: a real HTTP server PyGithub talks to, every request checked
against GitHub's contract (SPEC §8, §10)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.fakes.github.server import FakeGitHub
from tests.tracker.sync.github_support import PROJECT, REPO, Learner, Sleeps, issues, run, statuses, target
from tracker.boards.local import LocalBoard
from tracker.errors import BoardAuthError, RateLimitedError
from tracker.markers import marker, metrics_marker
from tracker.sync.github import GitHubTarget


@pytest.fixture
def learner(workspace: Path) -> Learner:
    return Learner.open(workspace)


def _posts(fake: FakeGitHub) -> int:
    return sum(n for route, n in fake.counters.by_route.items() if not route.startswith("GET"))


# ---- first sync, no-op, cost ------------------------------------------------------------------------


def test_first_sync_creates_every_sprint_then_a_rerun_is_a_noop(fake_github: FakeGitHub, learner: Learner) -> None:
    first = run(fake_github, learner)
    sprint_ids = learner.sprint_ids()
    found = issues(fake_github)
    assert sorted(found) == sorted(sprint_ids)
    assert fake_github.duplicates() == {}
    quarter_of = {s.id: label for label, s in learner.sprints()}
    for sid, issue in found.items():
        sprint = next(s for _, s in learner.sprints() if s.id == sid)
        assert issue["title"] == f"[{sid}] {sprint.title}"
        assert issue["body"].startswith(marker(sid))
        assert issue["body"].count("- [ ]") + issue["body"].count("- [x]") == len(sprint.checklist)
        assert issue["state"] == "open"
        assert sorted(issue["labels"]) == sorted(["llm-sprint", quarter_of[sid]])
    repo = fake_github.snapshot()["repos"][REPO]
    groups = {quarter_of[s] for s in sprint_ids}
    assert {lb["name"] for lb in repo["labels"]} == {"llm-sprint", *groups}
    milestones = {m["title"]: m["due_on"] for m in repo["milestones"]}
    assert len(milestones) == len(learner.roadmap.quarters) and all(milestones.values())
    for q in learner.roadmap.quarters:
        assert all(found[s.id]["milestone"] and found[s.id]["milestone"].startswith(q.id) for s in q.sprints)
    [project] = fake_github.snapshot()["projects"]
    assert project["title"] == PROJECT and project["repositories"] == [REPO]
    assert next(f for f in project["fields"] if f["name"] == "Status")["options"] == ["To Learn", "In Progress", "Done"]
    assert set(statuses(fake_github).values()) == {"To Learn"} and len(statuses(fake_github)) == len(sprint_ids)
    assert fake_github.state.orphaned_values == 0
    assert not first.issues_only and first.warnings == [] and first.report is not None

    fake_github.counters.reset()
    before = fake_github.snapshot()
    second = run(fake_github, learner)
    assert second.actions == [] and _posts(fake_github) <= 1  # reads only: the issue list and one GraphQL query
    assert fake_github.counters.requests <= 2
    third = run(fake_github, learner)
    assert third.actions == [] and third.requests == 2 and third.not_modified == 1  # the list is a free 304
    assert fake_github.snapshot() == before
    local = LocalBoard(learner.conn).snapshot()
    assert sorted(local.items) == sorted(sprint_ids)  # the offline mirror is synced too


def test_dry_run_reads_and_writes_nothing(fake_github: FakeGitHub, learner: Learner) -> None:
    result = run(fake_github, learner, dry_run=True)
    assert fake_github.counters.writes == 0 and fake_github.snapshot()["projects"] == []
    ops = [a.op for a in result.actions]
    assert ops[:2] == ["ensure-label", "ensure-label"] and "ensure-project" in ops and "set-status-options" in ops
    assert ops.index("set-status-options") < ops.index("set-status")
    assert result.to_json()["planned"] and LocalBoard(learner.conn).snapshot().items == {}


@pytest.mark.parametrize("fake_github", ["ghes"], indirect=True)
def test_enterprise_server_layout(fake_github: FakeGitHub, learner: Learner) -> None:
    run(fake_github, learner)
    assert len(issues(fake_github)) == len(learner.sprint_ids())
    assert run(fake_github, learner).actions == []


# ---- a status change, a regression ---------------------------------------------------------------


def test_grading_moves_one_card_ticks_its_boxes_comments_once_and_closes(fake_github: FakeGitHub,
                                                                         learner: Learner) -> None:
    run(fake_github, learner)
    cards, before = statuses(fake_github), issues(fake_github)
    assert learner.grade() == "pass"
    fake_github.counters.reset()
    result = run(fake_github, learner)
    after = issues(fake_github)
    moved = {sid: (cards[sid], s) for sid, s in statuses(fake_github).items() if cards[sid] != s}
    assert moved == {"P0": ("To Learn", "Done")}
    assert [sid for sid in before if before[sid] != after[sid]] == ["P0"]
    p0 = after["P0"]
    assert p0["state"] == "closed" and p0["state_reason"] == "completed"
    assert "- [ ]" not in p0["body"] and p0["body"].count("- [x]") == 2
    assert len(p0["comments"]) == 1 and p0["comments"][0].startswith(metrics_marker("P0"))
    assert "accuracy" in p0["comments"][0]
    assert result.requests <= 6 and fake_github.counters.requests == result.requests
    assert run(fake_github, learner).actions == []

    # a regression reopens the issue and moves the card back; the comment stays, alone
    assert learner.grade(variant="cheat-split-on-commas") == "fail"
    run(fake_github, learner)
    p0 = issues(fake_github)["P0"]
    assert p0["state"] == "open" and p0["state_reason"] == "reopened" and len(p0["comments"]) == 1
    assert statuses(fake_github)["P0"] == "In Progress" and "- [ ]" in p0["body"]
    assert LocalBoard(learner.conn).snapshot().items["P0"].status == "In Progress"

    # done again: the same comment is edited, never a second one
    assert learner.grade() == "pass"
    run(fake_github, learner)
    p0 = issues(fake_github)["P0"]
    assert p0["state"] == "closed" and len(p0["comments"]) == 1 and statuses(fake_github)["P0"] == "Done"
    assert fake_github.duplicates() == {}
    assert run(fake_github, learner).actions == []


def test_a_lost_comment_reference_finds_the_comment_by_its_marker(fake_github: FakeGitHub, learner: Learner) -> None:
    assert learner.grade() == "pass"
    run(fake_github, learner)
    with fake_github.state.lock:  # the learner edits the body on GitHub and drops the hidden reference line
        issue = next(i for i in fake_github.repo.issues.values() if (i.body or "").startswith(marker("P0")))
        issue.body = "\n".join(line for line in (issue.body or "").split("\n") if "metrics-comment" not in line)
    result = run(fake_github, learner)
    assert [a.op for a in result.actions] == ["upsert-comment"]
    assert len(issues(fake_github)["P0"]["comments"]) == 1
    assert "metrics-comment" in issues(fake_github)["P0"]["body"]


# ---- manual ticks on GitHub -----------------------------------------------------------------------


def test_manual_ticks_made_on_github_are_the_source_of_truth(fake_github: FakeGitHub, learner: Learner) -> None:
    run(fake_github, learner)
    manual_only = learner.manual_only()
    with fake_github.state.lock:  # tick every box of a manual-only sprint in the GitHub issue
        issue = next(i for i in fake_github.repo.issues.values() if (i.body or "").startswith(marker(manual_only.id)))
        issue.body = (issue.body or "").replace("- [ ]", "- [x]").replace("\n", "\r\n")  # as the web editor saves it
    run(fake_github, learner)
    found = issues(fake_github)[manual_only.id]
    assert found["state"] == "closed" and statuses(fake_github)[manual_only.id] == "Done"
    ticks = LocalBoard(learner.conn).ticks()
    assert {(manual_only.id, c.text) for c in manual_only.checklist} <= ticks  # mirrored locally
    assert run(fake_github, learner).actions == []
    with fake_github.state.lock:  # unticked on GitHub: back to In Progress, issue reopened
        issue.body = (issue.body or "").replace("- [x]", "- [ ]", 1)
    run(fake_github, learner)
    assert issues(fake_github)[manual_only.id]["state"] == "open"


def test_ticks_made_locally_before_github_was_configured_are_kept(fake_github: FakeGitHub, learner: Learner) -> None:
    from tracker.sync.local import sync_local

    manual_only = learner.manual_only()
    sync_local(learner.ws, learner.roadmap, learner.conn)
    for c in manual_only.checklist:
        LocalBoard(learner.conn).tick(manual_only.id, c.text)
    run(fake_github, learner)
    assert issues(fake_github)[manual_only.id]["state"] == "closed"
    assert "- [x]" in issues(fake_github)[manual_only.id]["body"]


# ---- tokens and the project board -----------------------------------------------------------------


def test_actions_token_syncs_issues_only_and_says_so(fake_github: FakeGitHub, learner: Learner) -> None:
    env = {**fake_github.env(), "GITHUB_TOKEN": fake_github.actions_token()}
    warned: list[str] = []
    result = run(fake_github, learner, env=env, warn=warned.append)
    assert result.issues_only and result.to_json()["issues_only"] is True
    assert warned and "PROJECT_TOKEN" in warned[0] and "project" in warned[0]
    assert result.to_json()["warnings"] == warned and result.to_json()["project"]["available"] is False
    assert len(issues(fake_github)) == len(learner.sprint_ids()) and fake_github.snapshot()["projects"] == []
    assert run(fake_github, learner, env=env).actions == []


def test_project_token_reaches_the_user_project_while_github_token_does_issues(fake_github: FakeGitHub,
                                                                               learner: Learner) -> None:
    env = {**fake_github.env(), "GITHUB_TOKEN": fake_github.actions_token(), "PROJECT_TOKEN": fake_github.token}
    result = run(fake_github, learner, env=env)
    assert not result.issues_only and result.warnings == []
    assert set(statuses(fake_github).values()) == {"To Learn"}
    authors = {i.user.login for i in fake_github.repo.issues.values()}
    assert authors == {"github-actions[bot]"}


@pytest.mark.parametrize("scopes", [{"repo"}, {"repo", "read:project"}])
def test_classic_token_without_project_scope_falls_back(fake_github: FakeGitHub, learner: Learner,
                                                        scopes: set[str]) -> None:
    env = {**fake_github.env(), "GITHUB_TOKEN": fake_github.add_token("octo-learner", scopes=scopes)}
    result = run(fake_github, learner, env=env)
    assert result.issues_only and any("`project` scope" in w for w in result.warnings)
    assert fake_github.counters.graphql_fields.get("mutation.createProjectV2", 0) == 0


def _seed_project_with_items(fake: FakeGitHub, count: int = 2) -> int:
    """A user project with GitHub's default Status options (Todo…) already holding cards."""
    with fake.state.lock:
        owner = fake.state.account("octo-learner")
        assert owner is not None
        project = fake.state.add_project(owner, "My board")
        for n in range(count):
            repo = fake.repo
            from tests.fakes.github.state import Issue

            now = fake.state.clock()
            issue = Issue(id=fake.state.new_id(), node_id="", number=repo.next_number, title=f"chore {n}", body="",
                          user=owner, created_at=now, updated_at=now, repo=repo)
            issue.node_id = fake.state.new_node_id("I_kwDO", issue, issue.id)
            repo.issues[issue.number] = issue
            repo.next_number += 1
            fake.state.add_item(project, issue)
        return project.number


def test_status_options_are_never_replaced_once_the_project_has_items(fake_github: FakeGitHub,
                                                                      learner: Learner) -> None:
    number = _seed_project_with_items(fake_github)
    result = run(fake_github, learner, project=number, create_project=None)
    assert fake_github.counters.graphql_fields.get("mutation.updateProjectV2Field", 0) == 0
    assert fake_github.state.orphaned_values == 0
    assert any("Todo" in w and "orphan" in w for w in result.warnings)
    [project] = fake_github.snapshot()["projects"]
    values = {it["content"]: it["values"].get("Status") for it in project["items"]}
    ours = {k.split("#sprint=")[1]: v for k, v in values.items() if "#sprint=" in k}
    assert set(ours.values()) == {"Todo"} and len(ours) == len(learner.sprint_ids())  # To Learn ↔ Todo
    assert not result.issues_only
    assert run(fake_github, learner, project=number, create_project=None).actions == []


def test_an_existing_empty_project_gets_its_options_before_any_item(fake_github: FakeGitHub,
                                                                    learner: Learner) -> None:
    with fake_github.state.lock:
        owner = fake_github.state.account("octo-learner")
        assert owner is not None
        number = fake_github.state.add_project(owner, "Roadmap").number
    order: list[str] = []
    fake_github.faults.fail_when(lambda r: order.extend(r.graphql_fields) and False, "drop")  # records, never fires
    run(fake_github, learner, project=number, create_project=None)
    fake_github.faults.clear()
    assert order.index("mutation.linkProjectV2ToRepository") < order.index("mutation.addProjectV2ItemById")
    assert order.index("mutation.updateProjectV2Field") < order.index("mutation.addProjectV2ItemById")
    assert order.count("mutation.updateProjectV2Field") == 1
    assert fake_github.state.orphaned_values == 0


def test_a_missing_project_number_is_a_warning_not_a_failure(fake_github: FakeGitHub, learner: Learner) -> None:
    result = run(fake_github, learner, project=7, create_project=None)
    assert result.issues_only and any("#7" in w for w in result.warnings)
    assert len(issues(fake_github)) == len(learner.sprint_ids())


def test_organization_project_owner(fake_github: FakeGitHub, learner: Learner) -> None:
    fake_github.seed_org("llm-school", members=["octo-learner"])
    tgt = GitHubTarget(repo=REPO, api_url=fake_github.url, graphql_url=fake_github.graphql_url,
                       create_project="Cohort 1", project_owner="llm-school")
    run(fake_github, learner, tgt=tgt)
    [project] = fake_github.snapshot()["projects"]
    assert project["owner"] == "llm-school" and project["repositories"] == [REPO]
    fake_github.counters.reset()
    assert run(fake_github, learner, tgt=tgt).actions == [] and fake_github.counters.requests == 2


# ---- rate limits --------------------------------------------------------------------------------


def test_secondary_limit_waits_retry_after_then_goes_on(fake_github: FakeGitHub, learner: Learner) -> None:
    fake_github.faults.fail_when(lambda r: r.route == "POST /repos/{owner}/{repo}/issues", "secondary_limit",
                                 retry_after=7)
    sleeps = Sleeps()
    result = run(fake_github, learner, sleep=sleeps)
    assert 7.0 in sleeps.waits and result.report is not None and result.report.rounds == 1
    assert fake_github.duplicates() == {} and len(issues(fake_github)) == len(learner.sprint_ids())


def test_a_wait_past_the_bound_stops_with_a_clear_message(fake_github: FakeGitHub, learner: Learner) -> None:
    fake_github.limits.set("octo-learner", "core", remaining=0, reset_in=3600)
    sleeps = Sleeps()
    with pytest.raises(RateLimitedError) as caught:
        run(fake_github, learner, sleep=sleeps)
    assert sleeps.waits == [] and "run `sprint sync` again" in str(caught.value)
    assert fake_github.token not in repr(caught.value)


@pytest.mark.parametrize("status", [403, 429])
def test_primary_limit_waits_for_the_reset(fake_github: FakeGitHub, learner: Learner, status: int) -> None:
    import time

    run(fake_github, learner)
    fake_github.faults.fail_request(1, "primary_limit", reset_in=0.2, status=status)
    started = time.monotonic()
    result = run(fake_github, learner, sleep=time.sleep)  # the fake's bucket refills in real time
    assert result.actions == [] and time.monotonic() - started < 5


# ---- the token never leaks ------------------------------------------------------------------------


def test_the_token_never_appears_in_output_logs_results_or_errors(
        fake_github: FakeGitHub, workspace: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    from tracker.cli.app import main

    caplog.set_level(logging.DEBUG)
    (workspace / "sprint.toml").write_text(f'[github]\nrepo = "{REPO}"\ncreate_project = "{PROJECT}"\n')
    for key, value in fake_github.env().items():
        monkeypatch.setenv(key, value)
    secrets = [fake_github.token]

    def sprint(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as done:
            main([*args, "-w", str(workspace)])
        out = capsys.readouterr()
        return int(done.value.code or 0), out.out + out.err

    outputs = [sprint("sync", "--dry-run"), sprint("sync"), sprint("sync", "--json"), sprint("sync", "--dry-run",
                                                                                          "--json")]
    assert [code for code, _ in outputs] == [0, 0, 0, 0]
    json.loads(outputs[2][1])
    actions = fake_github.actions_token()
    monkeypatch.setenv("GITHUB_TOKEN", actions)  # issues-only fallback, with its warning
    summary = workspace / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    secrets.append(actions)
    outputs.append(sprint("sync", "--json"))
    assert json.loads(outputs[-1][1])["issues_only"] is True
    assert "issues only" in summary.read_text() and "PROJECT_TOKEN" in summary.read_text()
    outputs.append((0, summary.read_text()))
    wrong = "ghp_thisTokenIsNotKnown0123456789abcdef"
    monkeypatch.setenv("GITHUB_TOKEN", wrong)  # rejected: an error that must not echo it
    secrets.append(wrong)
    code, text = sprint("sync", "--json")
    assert code == 2 and "401" in text
    outputs.append((code, text))
    with pytest.raises(BoardAuthError) as caught:
        run(fake_github, Learner.open(workspace), env={**fake_github.env(), "GITHUB_TOKEN": wrong})
    everything = "\n".join(text for _, text in outputs) + caplog.text + repr(caught.value) + str(caught.value)
    everything += (workspace / ".sprint" / "github-cache.json").read_text()
    for secret in secrets:
        assert secret not in everything


def test_target_from_settings_and_flags(tmp_path: Path) -> None:
    from tracker.config import load_config
    from tracker.errors import UsageError
    from tracker.sync.github import github_target

    (tmp_path / "sprint.toml").write_text('[github]\nrepo = "a/b"\nproject = 3\n')
    config = load_config(tmp_path / "sprint.toml", env={"GITHUB_API_URL": "http://ghe/api/v3",
                                                        "GITHUB_GRAPHQL_URL": "http://ghe/api/graphql"})
    t = github_target(config)
    assert t == GitHubTarget(repo="a/b", api_url="http://ghe/api/v3", graphql_url="http://ghe/api/graphql", project=3)
    assert github_target(config, create_project="New").project is None  # type: ignore[union-attr]
    assert github_target(config, repo="c/d").repo == "c/d"  # type: ignore[union-attr]
    with pytest.raises(UsageError):
        github_target(config, project=1, create_project="x")
    assert github_target(load_config(tmp_path / "none.toml", env={})) is None
    assert target  # the helper is importable with the fixture too


def test_big_repositories_and_projects_are_read_page_by_page(fake_github: FakeGitHub, learner: Learner) -> None:
    number = _seed_project_with_items(fake_github, count=130)  # 130 foreign issues, all on the project
    run(fake_github, learner, project=number, create_project=None)
    assert len(issues(fake_github)) == len(learner.sprint_ids()) and fake_github.duplicates() == {}
    fake_github.counters.reset()
    result = run(fake_github, learner, project=number, create_project=None)
    assert result.actions == []  # our cards were found on the project's second page
    assert fake_github.counters.by_route["GET /repos/{owner}/{repo}/issues"] == 2  # 148 issues: two pages
    assert fake_github.counters.graphql_documents == 2  # the project's items: two pages


def test_project_token_alone_does_everything(fake_github: FakeGitHub, learner: Learner) -> None:
    env = {"PROJECT_TOKEN": fake_github.token}
    result = run(fake_github, learner, env=env)
    assert not result.issues_only and len(statuses(fake_github)) == len(learner.sprint_ids())


def test_organization_repository_and_project_by_number(fake_github: FakeGitHub, learner: Learner) -> None:
    fake_github.seed_org("llm-school", members=["octo-learner"])
    fake_github.seed_repo("llm-school/roadmap", owner_type="Organization")
    with fake_github.state.lock:
        org = fake_github.state.account("llm-school")
        assert org is not None
        number = fake_github.state.add_project(org, "Cohort").number
    tgt = GitHubTarget(repo="llm-school/roadmap", api_url=fake_github.url, graphql_url=fake_github.graphql_url,
                       project=number)
    result = run(fake_github, learner, tgt=tgt)
    assert not result.issues_only and result.warnings == []
    [project] = fake_github.snapshot()["projects"]
    assert project["repositories"] == ["llm-school/roadmap"] and len(project["items"]) == len(learner.sprint_ids())
    assert run(fake_github, learner, tgt=tgt).actions == []


def test_graphql_rate_limit_waits_for_the_reset(fake_github: FakeGitHub, learner: Learner) -> None:
    import time

    run(fake_github, learner)
    fake_github.faults.fail_when(lambda r: r.route == "POST /graphql", "primary_limit", reset_in=0.2)
    result = run(fake_github, learner, sleep=time.sleep)  # GraphQL answers 200 + RATE_LIMITED
    assert result.actions == [] and not result.issues_only and fake_github.faults.pending == 0
