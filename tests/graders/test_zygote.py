"""The warm start (graders.zygote): a forked process is set up exactly as a freshly executed one, the
zygote holds no key or seed, it dies with the process that started it, and a zygote that is gone or
broken means a cold start — never a failed run. The hostile-code tests of test_sandbox.py and
test_trusted_measurement.py run warm too (their ``start`` fixture)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graders import zygote
from graders.measurer import ProbeJob
from graders.sandbox import RunOutcome, Sandbox

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the warm start is Linux's")

FACTS = textwrap.dedent('''
    import ctypes, os, random, resource, signal, sys, tempfile

    def facts():
        status = dict(line.rstrip("\\n").split(":\\t", 1) for line in open("/proc/self/status") if ":\\t" in line)
        fds = {}
        for fd in os.listdir("/proc/self/fd"):
            try:
                fds[fd] = os.readlink(f"/proc/self/fd/{fd}").split(":")[0]
            except OSError:
                pass
        limits = {name: list(resource.getrlimit(getattr(resource, name))) for name in dir(resource)
                  if name.startswith("RLIMIT_")}
        handlers = {}
        for sig in signal.valid_signals():
            try:
                handlers[signal.Signals(sig).name] = repr(signal.getsignal(sig))
            except (ValueError, OSError):
                pass
        cmdline = open("/proc/self/cmdline", "rb").read().split(b"\\0")
        return {
            "status": {k: status[k] for k in ("SigBlk", "SigIgn", "SigCgt", "CapEff", "CapBnd", "CapPrm",
                                               "NoNewPrivs", "Umask", "Seccomp")},
            "dumpable": ctypes.CDLL(None).prctl(3, 0, 0, 0, 0),
            "rlimits": limits, "handlers": handlers, "fds": sorted(fds.values()),
            "cwd": os.getcwd(), "env": dict(os.environ), "path": sys.path, "flags": str(sys.flags),
            "argv": sys.argv[1:], "cmdline": [a.decode() for a in cmdline if a][:5],
            "session_leader": os.getsid(0) == os.getpid(), "nice": os.getpriority(os.PRIO_PROCESS, 0),
            "stdin": sys.stdin.read(), "tempdir": tempfile.gettempdir(), "home": os.path.expanduser("~"),
            "netns": os.readlink("/proc/self/ns/net"), "mntns": os.readlink("/proc/self/ns/mnt"),
            "parent": open(f"/proc/{os.getppid()}/cmdline", "rb").read().split(b"\\0")[3].decode(),
            "random": random.random(), "threads": len(os.listdir("/proc/self/task")),
        }
''')


@pytest.fixture(autouse=True)
def no_zygote_left() -> Iterator[None]:
    yield
    zygote.shutdown()


def probe(tmp_path: Path, *, warm: bool, preload: tuple[str, ...] = (), fn: str = "facts:facts",
          args: list[Any] | None = None) -> RunOutcome:
    (tmp_path / "facts.py").write_text(FACTS, encoding="utf-8")
    sandbox = Sandbox(warm=warm, preload=preload)
    with sandbox.workdir(tmp_path) as work:
        return sandbox.measure("graders.measurer:probe", ProbeJob(fn=fn, args=args or [], memory=False),
                               workdir=work)


def facts_of(run: RunOutcome) -> dict[str, Any]:
    assert run.fault is None, (run.fault, run.log())
    assert run.result is not None
    value: dict[str, Any] = run.result["value"]
    root = str(Path(value["cwd"]).parent)  # each run has its own folder: compare the rest of each path
    return json.loads(json.dumps(value).replace(root, "<run>"))


def test_a_forked_worker_is_set_up_exactly_as_a_fresh_one(tmp_path: Path) -> None:
    cold = facts_of(probe(tmp_path, warm=False))
    warm = facts_of(probe(tmp_path, warm=True))
    again = facts_of(probe(tmp_path, warm=True))
    assert zygote._pool, "the warm runs must have come from a zygote"
    for facts in (cold, warm, again):
        assert facts["netns"] != os.readlink("/proc/self/ns/net")  # the run's own network namespace
        facts.pop("netns")
        if os.geteuid() == 0:
            assert facts["mntns"] != os.readlink("/proc/self/ns/mnt")  # its own, with /proc read-only
        facts.pop("mntns")
    assert warm["random"] != again["random"] != cold["random"]  # no random state shared by forks
    for facts in (cold, warm, again):
        facts.pop("random")
    assert warm == cold, {k: (cold[k], warm[k]) for k in cold if warm.get(k) != cold[k]}
    assert again == cold
    # What the comparison covers, spelled out for the claims of graders.zygote's docstring:
    assert cold["cmdline"][2:4] == ["-m", "graders.worker"] and cold["parent"] == "graders.supervisor"
    assert cold["fds"] == ["pipe", "pipe", "pipe", "socket"]  # stdin, stdout, stderr and the link: nothing else
    assert cold["status"]["NoNewPrivs"] == "1" and int(cold["status"]["CapEff"], 16) == 0
    assert cold["dumpable"] == 1 and cold["session_leader"] and cold["stdin"] == ""
    assert cold["tempdir"] == "<run>/tmp" and cold["home"] == "<run>/home"


def test_the_zygote_holds_neither_the_key_nor_the_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a warm grade, all of the zygote's memory is read (as root: it is non-dumpable to
    anyone else) and neither the run's key nor its seed is there."""
    if os.geteuid() != 0:
        pytest.skip("reading a non-dumpable process's memory needs root")
    import hashlib
    import secrets

    from tests.helpers import LIBRARY_EXERCISES, REPO
    from tracker.grading import GradeTarget, grade
    from tracker.roadmap import load_roadmap

    key = hashlib.sha256(b"llm-sprint: the channel key of the zygote test").digest()
    monkeypatch.setattr(secrets, "token_bytes", lambda n: key[:n])
    monkeypatch.setenv(zygote.ENV_SWITCH, "1")
    seed = 918_273_645
    exercise = load_roadmap(REPO / "roadmap.yaml").exercise("csv-to-json")
    assert exercise is not None
    library = LIBRARY_EXERCISES / "csv-to-json"
    result = grade(GradeTarget(exercise, library / ".meta" / "reference", library), profile="cpu", seed=seed,
                   cuda=False)
    assert result.status == "pass", result.message
    (z,) = zygote._pool.values()
    memory = b""
    with open(f"/proc/{z.pid}/mem", "rb", 0) as mem, open(f"/proc/{z.pid}/maps") as maps:
        for line in maps:
            addr, perms = line.split()[:2]
            if "r" not in perms or "[vvar" in line or "[vsyscall" in line:
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            try:
                mem.seek(lo)
                memory += mem.read(hi - lo)
            except (OSError, OverflowError, ValueError):
                continue
    assert os.fsencode(sys.executable) in memory  # the control: the scan reads the zygote's heap
    assert b'"umask"' in memory  # …and the requests it was sent
    assert key not in memory and key.hex().encode() not in memory
    assert str(seed).encode() not in memory


def test_a_zygote_that_died_or_cannot_import_means_a_cold_start(tmp_path: Path) -> None:
    facts_of(probe(tmp_path, warm=True))
    (first,) = zygote._pool.values()
    os.kill(first.pid, signal.SIGKILL)
    first.proc.wait()
    facts_of(probe(tmp_path, warm=True))  # a new zygote, or a cold start: either way the run is whole
    broken = probe(tmp_path, warm=True, preload=("graders.no_such_module_for_this_test",))
    facts_of(broken)
    assert (sys.executable, ("graders.no_such_module_for_this_test",)) in zygote._failed


def test_the_zygote_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    (tmp_path / "facts.py").write_text(FACTS, encoding="utf-8")
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from graders import zygote
        from graders.measurer import ProbeJob
        from graders.sandbox import Sandbox
        sandbox = Sandbox(warm=True)
        with sandbox.workdir(Path({str(tmp_path)!r})) as work:
            run = sandbox.measure("graders.measurer:probe", ProbeJob(fn="facts:facts", args=[], memory=False),
                                  workdir=work)
        assert run.fault is None, run.fault
        (z,) = zygote._pool.values()
        print(z.pid, z.root, flush=True)
        time.sleep(60)
    """)
    tracker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert tracker.stdout is not None
        pid_text, root = tracker.stdout.readline().split()
        pid = int(pid_text)
        os.kill(pid, 0)  # alive while its tracker is
    finally:
        tracker.kill()
        tracker.wait()
        if tracker.stdout:
            tracker.stdout.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists(), "the zygote outlived its tracker"
    assert not Path(root).exists(), "the zygote left its folder behind"


def test_a_zygote_that_imported_torch_started_no_thread_pool_and_its_children_use_theirs(tmp_path: Path) -> None:
    """torch's intra-op pool is not fork-safe once started: the zygote only imports, so it has no
    pool (one thread), and a forked worker runs a parallel op with as many threads as a fresh one."""
    (tmp_path / "ops.py").write_text(textwrap.dedent("""
        import os
        def threads():
            import torch
            before = len(os.listdir("/proc/self/task"))
            x = torch.ones(512, 512) @ torch.ones(512, 512)
            return [before, torch.get_num_threads(), float(x[0, 0])]
    """), encoding="utf-8")
    cold = probe(tmp_path, warm=False, fn="ops:threads")
    warm = probe(tmp_path, warm=True, preload=("torch",), fn="ops:threads")
    assert cold.fault is None and warm.fault is None, (cold.log(), warm.log())
    (z,) = zygote._pool.values()
    assert z.threads <= 2  # the main thread and, at most, OpenBLAS's server (stopped at fork by OpenBLAS)
    zygote_threads = len(os.listdir(f"/proc/{z.pid}/task"))
    assert zygote_threads == 1, "the zygote must not hold a thread across a fork"
    assert cold.result and warm.result
    assert warm.result["value"][0] == 1  # the forked worker starts with one thread
    assert warm.result["value"][1:] == cold.result["value"][1:]  # as many intra-op threads; the same product
    assert warm.cpu_s < cold.cpu_s  # the import was paid once, by the zygote
