"""`sprint cohort` against the fake GitHub: 1,000 learner repositories, a cold read and warm re-reads.

The cohort is seeded in varied states (per 100 repositories: 15 new, 33 mid-quarter, 15 finished quarter
with a release, 10 regressed, 5 without progress.json, 5 private and hidden from the mentor, 5 archived,
3 with a newer progress format, 7 private with access, 2 missing), every learner with the sprint issues
the sync would make. Then, through the real reader (the GitHub transport, batched GraphQL validated by
the fake against GitHub's schema):

1. cold: no cache — every repository read in full;
2. warm: nothing changed — only stamps;
3. warm after 20 learners pushed a new progress.json.

Goals (issue 21): cold ≤ 1 request per 50 repositories and under 10 s; warm ≤ 1 request per 100.
`seconds` is wall time, fake GitHub included (it runs in this process); `cpu` is the process's CPU
time for the phase (reader and fake together): on a busy machine wall time grows, CPU time much less.
Usage (from the repository root): python bench/cohort.py [--repos N]. One `repos=… requests=… seconds=…`
line per phase.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.cohort import support as S  # noqa: E402
from tests.fakes.github.server import FakeGitHub  # noqa: E402
from tests.helpers import FIXED_TODAY  # noqa: E402
from tracker.cohort.look import look  # noqa: E402
from tracker.progress_record import render_record  # noqa: E402

MIX = [("new", 15), ("mid-quarter", 33), ("finished", 15), ("regressed", 10), ("no-progress", 5),
       ("private-hidden", 5), ("archived", 5), ("newer-format", 3), ("private", 7), ("missing", 2)]


def seed(fake: FakeGitHub, count: int) -> list[str]:
    rm = S.roadmap()
    newer = S.newer_format_text(rm)
    states = [state for state, share in MIX for _ in range(share)]
    names = []
    for i in range(count):
        state = states[i % len(states)]
        name = f"learner{i:04d}/llm-sprint"
        names.append(name)
        if state == "missing":
            continue
        jitter = (i % 17) / 100 + i / 1e6  # every learner's record differs, as in a real cohort
        story = {"new": S.new_learner(), "mid-quarter": S.mid_quarter(jitter=jitter),
                 "finished": S.finished_quarter(jitter=jitter), "regressed": S.regressed(),
                 "archived": S.mid_quarter(jitter=jitter), "private": S.mid_quarter(jitter=jitter),
                 "private-hidden": S.mid_quarter(jitter=jitter)}.get(state)
        record = story.record(rm) if story else None
        text = newer if state == "newer-format" else (render_record(record) if record else None)
        S.seed_learner(fake, name, progress=text, rm=rm, record=record, private=state.startswith("private"),
                       archived=state == "archived", releases=("v0.1",) if state == "finished" else (),
                       collaborators=() if state == "private-hidden" else (S.MENTOR,))
    return names


def phase(name: str, fake: FakeGitHub, cohort: Path, env: dict[str, str], repos: int) -> tuple[int, float]:
    fake.counters.reset()
    started, cpu = time.perf_counter(), time.process_time()
    lk = look(cohort, today=FIXED_TODAY, env=env)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    requests = fake.counters.requests
    read = lk.read
    assert read is not None
    print(f"{name:<28} repos={repos} requests={requests} seconds={seconds:.2f} "
          f"(cpu={cpu:.2f} s, graphql_cost={fake.counters.graphql_cost}, read_in_full={read.read_in_full}, "
          f"learners={len(lk.view.learners)}, lines={len(lk.view.lines)}, changes={len(lk.changes)})")
    lk.close()
    return requests, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repos", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeGitHub() as fake:
        fake.seed_user(S.MENTOR)
        token = fake.add_token(S.MENTOR, scopes={"repo", "read:org"})
        t0 = time.perf_counter()
        names = seed(fake, args.repos)
        print(f"seeded {len(names)} repositories in {time.perf_counter() - t0:.1f} s")
        # The fake's million seeded objects live in this process (a real mentor's does not hold GitHub's
        # state): keep them out of the cyclic collector's way, which would otherwise bill the reader for them.
        gc.collect()
        gc.freeze()
        folder = Path(tmp)
        shutil.copy(S.ROADMAP_PATH, folder / "roadmap.yaml")
        cohort = folder / "cohort.yaml"
        cohort.write_text("title: Benchmark cohort\nroadmap: roadmap.yaml\nrepositories:\n"
                          + "".join(f"  - {n}\n" for n in names), encoding="utf-8")
        env = {"GITHUB_API_URL": fake.url, "GITHUB_GRAPHQL_URL": fake.graphql_url, "GITHUB_TOKEN": token}
        from tests.fakes.github.graphql_api import github_schema

        github_schema()  # built once per process (0.6 s): not part of a read
        cold = phase("cold (no cache)", fake, cohort, env, len(names))
        warm = phase("warm (nothing changed)", fake, cohort, env, len(names))
        rm = S.roadmap()
        pushed = [n for n in names if fake.state.repo(*n.split("/")) and
                  fake.state.repo(*n.split("/")).files and not fake.state.repo(*n.split("/")).private][:20]
        for i, name in enumerate(pushed):
            record = S.finished_quarter(jitter=i / 50).record(rm, FIXED_TODAY + dt.timedelta(days=1))
            fake.seed_file(name, "progress.json", render_record(record))
        changed = phase("warm (20 learners pushed)", fake, cohort, env, len(names))
        fake.assert_clean()
    n = len(names)
    print(f"\ngoals: cold <= {n / 50:.0f} requests and < 10 s; warm <= {n / 100:.0f} requests")
    print(f"cold: {cold[0]} requests ({'met' if cold[0] <= n / 50 else 'MISSED'}), {cold[1]:.2f} s "
          f"({'met' if cold[1] < 10 else 'MISSED'}); warm: {warm[0]} requests "
          f"({'met' if warm[0] <= n / 100 else 'MISSED'}); warm after 20 pushes: {changed[0]} requests")


if __name__ == "__main__":
    main()
