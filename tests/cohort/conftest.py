"""A mentor's folder (cohort.yaml + the roadmap) and a mentor token on the fake GitHub."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cohort import support as S
from tests.fakes.github.server import FakeGitHub


@dataclass
class Mentor:
    fake: FakeGitHub
    folder: Path
    token: str

    @property
    def cohort(self) -> Path:
        return self.folder / "cohort.yaml"

    def env(self, token: str | None = None) -> dict[str, str]:
        return {"GITHUB_API_URL": self.fake.url, "GITHUB_GRAPHQL_URL": self.fake.graphql_url,
                "GITHUB_TOKEN": self.token if token is None else token}

    def write(self, repos: list[str] | None = None, extra: str = "", title: str = "Spring cohort") -> Path:
        lines = [f"title: {title}", "roadmap: roadmap.yaml"]
        if repos is not None:
            lines += ["repositories:"] + [f"  - {r}" for r in repos]
        self.cohort.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        return self.cohort


@pytest.fixture
def mentor(fake_github: FakeGitHub, tmp_path: Path) -> Mentor:
    fake_github.seed_user(S.MENTOR)
    token = fake_github.add_token(S.MENTOR, scopes={"repo", "read:org"})
    folder = tmp_path / "mentor"
    folder.mkdir()
    shutil.copy(S.ROADMAP_PATH, folder / "roadmap.yaml")
    return Mentor(fake_github, folder, token)
