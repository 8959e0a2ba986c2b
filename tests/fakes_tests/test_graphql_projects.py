"""Projects (v2) over GraphQL, through PyGithub's requester as the sync uses it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.github.server import FakeGitHub

from .support import gql

CREATE_PROJECT = """
mutation($owner: ID!, $title: String!) {
  createProjectV2(input: {ownerId: $owner, title: $title}) { projectV2 { id number title } }
}"""

STATUS_FIELD = """
query($number: Int!) {
  viewer {
    projectV2(number: $number) {
      field(name: "Status") { ... on ProjectV2SingleSelectField { id name options { id name } } }
    }
  }
}"""

SET_OPTIONS = """
mutation($field: ID!, $options: [ProjectV2SingleSelectFieldOptionInput!]) {
  updateProjectV2Field(input: {fieldId: $field, singleSelectOptions: $options}) {
    projectV2Field { ... on ProjectV2SingleSelectField { id options { id name } } }
  }
}"""

ADD_ITEM = """
mutation($project: ID!, $content: ID!) {
  addProjectV2ItemById(input: {projectId: $project, contentId: $content}) { item { id } }
}"""

SET_STATUS = """
mutation($project: ID!, $item: ID!, $field: ID!, $option: String!) {
  updateProjectV2ItemFieldValue(input: {projectId: $project, itemId: $item, fieldId: $field,
                                        value: {singleSelectOptionId: $option}}) {
    projectV2Item { id fieldValueByName(name: "Status") {
      ... on ProjectV2ItemFieldSingleSelectValue { name optionId } } }
  }
}"""

ITEMS_PAGE = """
query($number: Int!, $after: String) {
  viewer { projectV2(number: $number) { items(first: 2, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      content { ... on Issue { number title } }
      status: fieldValueByName(name: "Status") { ... on ProjectV2ItemFieldSingleSelectValue { name } }
    }
  } } }
}"""

OPTIONS = [
    {"name": name, "color": color, "description": ""}
    for name, color in (("To Learn", "GRAY"), ("In Progress", "YELLOW"), ("Done", "GREEN"))
]


def _board(fake: FakeGitHub) -> tuple[str, str, dict[str, str]]:
    """A project whose Status options are the roadmap's; (project id, status field id, option ids)."""
    owner = gql(fake, "{ viewer { id } }")["viewer"]["id"]
    project = gql(fake, CREATE_PROJECT, owner=owner, title="LLM roadmap")["createProjectV2"]["projectV2"]
    status = gql(fake, STATUS_FIELD, number=project["number"])["viewer"]["projectV2"]["field"]
    field = gql(fake, SET_OPTIONS, field=status["id"], options=OPTIONS)["updateProjectV2Field"]["projectV2Field"]
    return project["id"], field["id"], {o["name"]: o["id"] for o in field["options"]}


def _issues(fake: FakeGitHub, *titles: str) -> list[str]:
    repo = fake.github().get_repo("octo-learner/roadmap")
    return [repo.create_issue(t).node_id for t in titles]


def test_new_project_has_githubs_default_status_field(fake_github: FakeGitHub) -> None:
    owner = gql(fake_github, "{ viewer { id login } }")["viewer"]
    project = gql(fake_github, CREATE_PROJECT, owner=owner["id"], title="Board")["createProjectV2"]["projectV2"]
    assert project["number"] == 1

    status = gql(fake_github, STATUS_FIELD, number=1)["viewer"]["projectV2"]["field"]
    assert [o["name"] for o in status["options"]] == ["Todo", "In Progress", "Done"]

    duplicate = """mutation($p: ID!) { createProjectV2Field(input: {projectId: $p, dataType: SINGLE_SELECT,
      name: "Status", singleSelectOptions: [{name: "To Learn", color: GRAY, description: ""}]}) {
      projectV2Field { ... on ProjectV2SingleSelectField { id } } } }"""
    _, body = fake_github.github().requester.requestJsonAndCheck(
        "POST", fake_github.graphql_url, input={"query": duplicate, "variables": {"p": project["id"]}}
    )
    assert body["errors"][0]["type"] == "UNPROCESSABLE"
    assert body["errors"][0]["message"] == "Name has already been taken"
    assert body["data"] == {"createProjectV2Field": None}


def test_projects_round_trip(fake_github: FakeGitHub) -> None:
    project_id, field_id, option = _board(fake_github)
    content = _issues(fake_github, "Sprint P0", "Sprint P1", "Sprint P2", "Sprint 2.1", "Sprint 2.2")

    first = gql(fake_github, ADD_ITEM, project=project_id, content=content[0])["addProjectV2ItemById"]["item"]
    again = gql(fake_github, ADD_ITEM, project=project_id, content=content[0])["addProjectV2ItemById"]["item"]
    assert first["id"] == again["id"]  # adding the same issue twice gives the same item

    items = [first["id"]] + [
        gql(fake_github, ADD_ITEM, project=project_id, content=c)["addProjectV2ItemById"]["item"]["id"]
        for c in content[1:]
    ]
    updated = gql(fake_github, SET_STATUS, project=project_id, item=items[0], field=field_id, option=option["Done"])
    value = updated["updateProjectV2ItemFieldValue"]["projectV2Item"]["fieldValueByName"]
    assert value == {"name": "Done", "optionId": option["Done"]}
    for item in items[1:3]:
        gql(fake_github, SET_STATUS, project=project_id, item=item, field=field_id, option=option["In Progress"])

    seen: list[tuple[int, str | None]] = []
    after = None
    pages = 0
    while True:
        page = gql(fake_github, ITEMS_PAGE, number=1, after=after)["viewer"]["projectV2"]["items"]
        assert page["totalCount"] == 5
        seen += [(n["content"]["number"], (n["status"] or {}).get("name")) for n in page["nodes"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == [(1, "Done"), (2, "In Progress"), (3, "In Progress"), (4, None), (5, None)]
    assert fake_github.duplicates() == {}


def test_replacing_options_orphans_item_values(fake_github: FakeGitHub) -> None:
    project_id, field_id, option = _board(fake_github)
    (content,) = _issues(fake_github, "Sprint 3.1")
    item = gql(fake_github, ADD_ITEM, project=project_id, content=content)["addProjectV2ItemById"]["item"]["id"]
    gql(fake_github, SET_STATUS, project=project_id, item=item, field=field_id, option=option["Done"])

    # the same names again: GitHub still mints new option ids, and the card loses its status
    replaced = gql(fake_github, SET_OPTIONS, field=field_id, options=OPTIONS)["updateProjectV2Field"]
    new_ids = {o["name"]: o["id"] for o in replaced["projectV2Field"]["options"]}
    assert set(new_ids.values()).isdisjoint(option.values())
    assert fake_github.state.orphaned_values == 1
    status = gql(fake_github, ITEMS_PAGE, number=1)["viewer"]["projectV2"]["items"]["nodes"][0]["status"]
    assert status is None
    assert fake_github.snapshot()["projects"][0]["items"][0]["values"] == {}

    _, body = fake_github.github().requester.requestJsonAndCheck(
        "POST",
        fake_github.graphql_url,
        input={
            "query": SET_STATUS,
            "variables": {"project": project_id, "item": item, "field": field_id, "option": option["Done"]},
        },
    )
    assert body["errors"][0]["message"] == "The single select option Id does not belong to the field"


def test_aliased_mutations_in_one_document(fake_github: FakeGitHub) -> None:
    project_id, field_id, option = _board(fake_github)
    content = _issues(fake_github, "a", "b")
    items = [
        gql(fake_github, ADD_ITEM, project=project_id, content=c)["addProjectV2ItemById"]["item"]["id"] for c in content
    ]
    fake_github.counters.reset()
    document = """mutation($p: ID!, $f: ID!, $i1: ID!, $i2: ID!, $o1: String!, $o2: String!) {
      first: updateProjectV2ItemFieldValue(input: {projectId: $p, itemId: $i1, fieldId: $f,
                                                   value: {singleSelectOptionId: $o1}}) { projectV2Item { id } }
      second: updateProjectV2ItemFieldValue(input: {projectId: $p, itemId: $i2, fieldId: $f,
                                                    value: {singleSelectOptionId: $o2}}) { projectV2Item { id } }
    }"""
    data = gql(
        fake_github,
        document,
        p=project_id,
        f=field_id,
        i1=items[0],
        i2=items[1],
        o1=option["Done"],
        o2=option["In Progress"],
    )
    assert data["first"]["projectV2Item"]["id"] == items[0] and data["second"]["projectV2Item"]["id"] == items[1]
    assert fake_github.counters.graphql_documents == 1
    assert fake_github.counters.graphql_fields["mutation.updateProjectV2ItemFieldValue"] == 2
    values = fake_github.snapshot()["projects"][0]["items"]
    assert [v["values"] for v in values] == [{"Status": "Done"}, {"Status": "In Progress"}]


def test_link_repository_and_find_items_from_the_issue(fake_github: FakeGitHub) -> None:
    project_id, _, _ = _board(fake_github)
    (content,) = _issues(fake_github, "Sprint 4.1")
    repo_id = gql(fake_github, '{ repository(owner: "octo-learner", name: "roadmap") { id } }')["repository"]["id"]
    link = (
        "mutation($p: ID!, $r: ID!) { linkProjectV2ToRepository(input: {projectId: $p, repositoryId: $r}) "
        "{ repository { nameWithOwner } } }"
    )
    gql(fake_github, link, p=project_id, r=repo_id)
    gql(fake_github, ADD_ITEM, project=project_id, content=content)

    query = """{ repository(owner: "octo-learner", name: "roadmap") {
      projectsV2(first: 5) { nodes { title } }
      issue(number: 1) { id projectItems(first: 5) { nodes { project { number } } } }
    } }"""
    repo = gql(fake_github, query)["repository"]
    assert repo["projectsV2"]["nodes"] == [{"title": "LLM roadmap"}]
    assert repo["issue"]["id"] == content
    assert repo["issue"]["projectItems"]["nodes"] == [{"project": {"number": 1}}]

    node = gql(
        fake_github, "query($id: ID!) { node(id: $id) { __typename ... on ProjectV2 { title } } }", id=project_id
    )
    assert node["node"] == {"__typename": "ProjectV2", "title": "LLM roadmap"}


def test_clear_and_delete_items(fake_github: FakeGitHub) -> None:
    project_id, field_id, option = _board(fake_github)
    (content,) = _issues(fake_github, "x")
    item = gql(fake_github, ADD_ITEM, project=project_id, content=content)["addProjectV2ItemById"]["item"]["id"]
    gql(fake_github, SET_STATUS, project=project_id, item=item, field=field_id, option=option["Done"])
    clear = """mutation($p: ID!, $i: ID!, $f: ID!) { clearProjectV2ItemFieldValue(
      input: {projectId: $p, itemId: $i, fieldId: $f}) { projectV2Item { fieldValueByName(name: "Status") {
      __typename } } } }"""
    cleared = gql(fake_github, clear, p=project_id, i=item, f=field_id)
    assert cleared["clearProjectV2ItemFieldValue"]["projectV2Item"]["fieldValueByName"] is None
    delete = "mutation($p: ID!, $i: ID!) { deleteProjectV2Item(input: {projectId: $p, itemId: $i}) { deletedItemId } }"
    assert gql(fake_github, delete, p=project_id, i=item)["deleteProjectV2Item"]["deletedItemId"] == item
    assert gql(fake_github, ITEMS_PAGE, number=1)["viewer"]["projectV2"]["items"]["totalCount"] == 0


def test_update_project_title_and_list_projects(fake_github: FakeGitHub) -> None:
    project_id, _, _ = _board(fake_github)
    rename = 'mutation($p: ID!) { updateProjectV2(input: {projectId: $p, title: "Roadmap"}) { projectV2 { title } } }'
    assert gql(fake_github, rename, p=project_id)["updateProjectV2"]["projectV2"]["title"] == "Roadmap"
    listed = gql(
        fake_github, '{ user(login: "octo-learner") { projectsV2(first: 10) { totalCount nodes { title } } } }'
    )
    assert listed["user"]["projectsV2"] == {"totalCount": 1, "nodes": [{"title": "Roadmap"}]}


def test_field_values_include_the_title_and_single_selects(fake_github: FakeGitHub) -> None:
    project_id, field_id, option = _board(fake_github)
    (content,) = _issues(fake_github, "Sprint 3.3")
    item = gql(fake_github, ADD_ITEM, project=project_id, content=content)["addProjectV2ItemById"]["item"]["id"]
    gql(fake_github, SET_STATUS, project=project_id, item=item, field=field_id, option=option["To Learn"])
    query = """query($id: ID!) { node(id: $id) { ... on ProjectV2Item { fieldValues(first: 20) { nodes {
      __typename
      ... on ProjectV2ItemFieldTextValue { text }
      ... on ProjectV2ItemFieldSingleSelectValue { name field { ... on ProjectV2SingleSelectField { name } } }
    } } } } }"""
    nodes: list[dict[str, Any]] = gql(fake_github, query, id=item)["node"]["fieldValues"]["nodes"]
    assert {"__typename": "ProjectV2ItemFieldTextValue", "text": "Sprint 3.3"} in nodes
    assert {
        "__typename": "ProjectV2ItemFieldSingleSelectValue",
        "name": "To Learn",
        "field": {"name": "Status"},
    } in nodes


@pytest.mark.parametrize("fake_github", ["ghes"], indirect=True)
def test_graphql_url_follows_the_ghes_layout(fake_github: FakeGitHub) -> None:
    assert fake_github.graphql_url.endswith("/api/graphql")
    assert fake_github.github().requester.graphql_url == fake_github.graphql_url
    assert gql(fake_github, "{ viewer { login } }") == {"viewer": {"login": "octo-learner"}}
