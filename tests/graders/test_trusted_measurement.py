"""Hostile learner code against the worker/measurer split, one claim per test (docs/threat-model.md).

Each attack is a learner's ``data_loader.py`` graded through the real pipeline (kind ``function``,
whose measurer runs the learner's code in a worker), or a run of the sandbox with a hostile learner
process; what the attacker saw is written to a report file outside the run folder.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from graders.contract import GradeResult
from graders.measurer import ProbeJob
from graders.sandbox import ProcessSpec, Sandbox
from tests.graders.warm import cold_and_warm
from tests.helpers import LIBRARY_EXERCISES, REPO
from tracker.grading import GradeTarget, grade
from tracker.roadmap import load_roadmap

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the protections are Linux's")

ROADMAP = load_roadmap(REPO / "roadmap.yaml")
LIBRARY = LIBRARY_EXERCISES / "csv-to-json"
ROOT = os.geteuid() == 0
start = cold_and_warm(no_sandbox=frozenset({"test_a_non_dumpable_process_is_closed_to_an_equally_privileged_one"}))

#: Helpers every hostile program below shares: find the run's processes, try to get into them.
PROBES = '''
import ctypes, json, os, signal, sys, time

def cmdline(pid):
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode()
    except OSError:
        return ""

def parent(pid):
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0

def pids_running(fragment, under=None):
    """Processes whose command line has ``fragment`` — of this run: children of our supervisor
    (other runs, of other graders on this machine, are not ours to look at)."""
    under = under or os.getppid()
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and fragment in cmdline(p)
            and int(p) != os.getpid() and parent(p) == under]

def ancestors():
    out, pid = [], os.getppid()
    while pid > 1:
        out.append(pid)
        pid = parent(pid)
    return out

def attempt(fn):
    try:
        fn()
        return "OPENED"
    except OSError as exc:
        return exc.__class__.__name__

def ptrace_attach(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.ptrace(0x4206, pid, 0, 0) != 0:   # PTRACE_SEIZE: attaches without stopping the target
        raise OSError(ctypes.get_errno(), "ptrace")
    libc.ptrace(17, pid, 0, 0)                # PTRACE_DETACH

def vm_read(pid):
    class iovec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
    libc = ctypes.CDLL(None, use_errno=True)
    start = int(open(f"/proc/{os.getpid()}/maps").readline().split("-")[0], 16)  # any address will do
    buf = ctypes.create_string_buffer(16)
    local, remote = iovec(ctypes.addressof(buf), 16), iovec(start, 16)
    if libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) < 0:
        raise OSError(ctypes.get_errno(), "process_vm_readv")

def break_in(pid):
    tries = {
        "mem": lambda: open(f"/proc/{pid}/mem", "rb").close(),
        "cwd": lambda: os.listdir(f"/proc/{pid}/cwd"),
        "environ": lambda: open(f"/proc/{pid}/environ", "rb").read(),
        "list fds": lambda: os.listdir(f"/proc/{pid}/fd"),
        "ptrace": lambda: ptrace_attach(pid),
        "process_vm_readv": lambda: vm_read(pid),
    }
    out = {name: attempt(fn) for name, fn in tries.items()}
    fds = [int(n) for n in os.listdir(f"/proc/{pid}/fd")] if out["list fds"] == "OPENED" else range(12)
    for fd in fds:  # re-open its descriptors: a pipe's read end opened for writing is a write end
        for what, fn in (("for writing", lambda: open(f"/proc/{pid}/fd/{fd}", "wb").close()),
                         ("readlink", lambda: os.readlink(f"/proc/{pid}/fd/{fd}"))):
            result = attempt(fn)
            if result != "FileNotFoundError":
                out[f"fd {fd} {what}"] = result
    return out

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
'''


def hostile(tmp_path: Path, body: str, *, seed: int = 7, wall_s: float = 30) -> GradeResult:
    """Grade a data_loader.py whose csv_to_json runs ``PROBES`` and then ``body``."""
    folder = tmp_path / "learner"
    folder.mkdir(exist_ok=True)
    code = PROBES + "\n\ndef csv_to_json(csv_path, json_path):\n" + textwrap.indent(textwrap.dedent(body), "    ")
    (folder / "data_loader.py").write_text(code, encoding="utf-8")
    exercise = ROADMAP.exercise("csv-to-json")
    assert exercise is not None
    exercise = exercise.model_copy(update={"time_budget": wall_s})
    return grade(GradeTarget(exercise, folder, LIBRARY), profile="cpu", seed=seed, cuda=False)


def report(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tmp_path / "report.json").read_text())
    return data


def test_the_worker_holds_neither_the_channel_key_nor_the_seed(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker reads *all* of its own memory and finds neither the run's key (made known to the
    test by fixing it) nor the seed's digits — but does find what it was given (the control)."""
    import hashlib
    import secrets

    key = hashlib.sha256(b"llm-sprint: the channel key of this test").digest()
    monkeypatch.setattr(secrets, "token_bytes", lambda n: key[:n])
    hex1, hex2 = key[:16].hex(), key[16:].hex()
    seed = 918_273_645
    out = tmp_path / "report.json"
    body = f"""
    raw = open(csv_path, "rb").read()  # kept alive: the control below must be in this process's memory
    text = raw.decode("utf-8")
    if len(text) < 2000:  # only the first small case: scanning once is enough
        open(json_path, "w").write("[]")
        if os.path.exists({str(out)!r}):
            return
    # Each needle is held in two halves, never whole: the scanner must not find its own needles.
    needles = {{"key": (bytes.fromhex("{hex1}"), bytes.fromhex("{hex2}")), "key hex": (b"{hex1}", b"{hex2}"),
               "seed": (b"{str(seed)[:5]}", b"{str(seed)[5:]}"), "control": (raw[:20], raw[20:40])}}
    found = {{name: False for name in needles}}

    def holds(chunk, halves):
        head, tail = halves
        at = chunk.find(head)
        while at >= 0:
            if chunk[at + len(head):at + len(head) + len(tail)] == tail:
                return True
            at = chunk.find(head, at + 1)
        return False

    mem = open("/proc/self/mem", "rb", 0)
    for line in open("/proc/self/maps"):
        addr, perms = line.split()[:2]
        if "r" not in perms or "[vvar" in line or "[vsyscall" in line:
            continue
        lo, hi = (int(x, 16) for x in addr.split("-"))
        try:
            mem.seek(lo)
            chunk = mem.read(hi - lo)
        except (OSError, OverflowError, ValueError):
            continue
        for name, halves in needles.items():
            found[name] = found[name] or holds(chunk, halves)
    fds = {{}}
    for fd in os.listdir("/proc/self/fd"):
        try:
            fds[fd] = os.readlink(f"/proc/self/fd/{{fd}}").split(":")[0]
        except OSError:
            pass
    json.dump({{"found": found, "fds": fds, "env": dict(os.environ)}}, open({str(out)!r}, "w"))
    """
    hostile(tmp_path, body, seed=seed)
    seen = report(tmp_path)
    assert seen["found"]["control"], "the scanner must find what the worker was given, or it proves nothing"
    assert not seen["found"]["key"] and not seen["found"]["key hex"]
    assert not seen["found"]["seed"]
    assert str(seed) not in json.dumps(seen["env"])
    # Its standard streams (pipes to the supervisor), the link to the measurer, this scan's own files:
    # no result channel (a pipe) beyond the first three descriptors.
    pipes = sorted(int(fd) for fd, kind in seen["fds"].items() if kind == "pipe")
    assert pipes == [0, 1, 2] and list(seen["fds"].values()).count("socket") == 1, seen["fds"]


def test_learner_code_cannot_look_into_the_measurer_the_supervisor_or_the_tracker(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    body = f"""
    open(json_path, "w").write("[]")
    if os.path.exists({str(out)!r}):
        return
    supervisor = os.getppid()
    targets = {{"measurer": pids_running("graders.harness"), "supervisor": [supervisor],
               "supervisor's command": [cmdline(supervisor)], "ancestors": ancestors()}}
    json.dump({{"targets": targets,
               # the measurer, the supervisor and the tracker (the supervisor's parent); further up: not ours
               "tries": {{str(pid): break_in(pid) for pid in {{*targets["measurer"], *targets["ancestors"][:2]}}}},
               "CapEff": status("CapEff"), "CapBnd": status("CapBnd"), "NoNewPrivs": status("NoNewPrivs"),
               "clear_refs": attempt(lambda: open("/proc/self/clear_refs", "w").write("5"))}},
              open({str(out)!r}, "w"))
    """
    hostile(tmp_path, body)
    seen = report(tmp_path)
    targets = seen["targets"]
    assert len(targets["measurer"]) == 1 and "graders.supervisor" in targets["supervisor's command"][0]
    assert os.getpid() in targets["ancestors"]  # the tracker: this test's own process
    for pid, tries in seen["tries"].items():
        # A root learner may list a trusted process's descriptor *numbers* (the directory is root's);
        # it may open, read or follow none of them.
        opened = {name: result for name, result in tries.items() if result == "OPENED" and name != "list fds"}
        assert not opened, f"process {pid} ({'this test' if int(pid) == os.getpid() else 'ours'}) let in: {opened}"
        assert tries["mem"] == "PermissionError" and tries["environ"] == "PermissionError"
        assert any(name.endswith("for writing") for name in tries), tries  # it did try the descriptors
    assert seen["NoNewPrivs"] == "1"
    if ROOT:  # a root learner is an ordinary user: no capability, none to regain, and /proc read-only
        assert int(seen["CapEff"], 16) == 0 and int(seen["CapBnd"], 16) == 0
        assert seen["clear_refs"] == "OSError"  # EROFS: it cannot reset the high-water mark measured outside


def test_a_learner_process_started_beside_a_trusted_one_never_sees_its_key(tmp_path: Path) -> None:
    """A learner process tries, from its first instruction, to read a trusted harness's stdin (where
    the key arrives) and memory: the supervisor starts it only once the harness has read its key,
    and the harness is non-dumpable by then."""
    out = tmp_path / "report.json"
    spy = PROBES + textwrap.dedent(f"""
        seen = {{}}
        deadline = time.time() + 8
        while time.time() < deadline and len(seen) < 50:
            for pid in pids_running("graders.harness"):
                def read_stdin():
                    with open(f"/proc/{{pid}}/fd/0", "rb") as f:
                        seen.setdefault("stolen", []).append(f.read(200).decode("latin-1"))
                seen[f"{{pid}} stdin {{len(seen)}}"] = attempt(read_stdin)
            time.sleep(0.01)
        json.dump(seen, open({str(out)!r}, "w"))
    """)
    (tmp_path / "spy.py").write_text(spy, encoding="utf-8")
    (tmp_path / "wait.py").write_text(
        "import os, time\n"
        "def until(path):\n"
        "    while not os.path.exists(path):\n"
        "        time.sleep(0.05)\n", encoding="utf-8")
    sandbox = Sandbox()
    ours, theirs = socket.socketpair()
    ours_fd, theirs_fd = ours.detach(), theirs.detach()
    with sandbox.workdir(tmp_path) as work:
        # A measurer (trusted, main) whose learner call waits for the spy's report, so the spy — a
        # learner process like a learner's server — watches it for the measurer's whole life.
        run = sandbox.run([
            ProcessSpec(name="spy", argv=[sys.executable, "spy.py"]),
            ProcessSpec(name="measurer", main=True, learner=False, pass_fds=(ours_fd,), link_fd=ours_fd,
                        harness=("graders.measurer:probe", ProbeJob(fn="wait:until", args=[str(out)], memory=False))),
            ProcessSpec(name="worker", argv=[sys.executable, "-I", "-m", "graders.worker", str(theirs_fd)],
                        pass_fds=(theirs_fd,)),
        ], workdir=work)
    assert run.fault is None, run.fault
    seen = json.loads(out.read_text())
    assert "stolen" not in seen, seen.get("stolen")
    assert seen and all(v == "PermissionError" for v in seen.values()), seen


def test_stopping_the_measurer_to_forge_a_time_voids_the_result(tmp_path: Path) -> None:
    body = """
    text = open(csv_path, encoding="utf-8").read()
    if len(text) > 100_000:  # the timed case: stop the clock's owner, work at leisure, resume it
        for pid in pids_running("graders.harness"):
            os.kill(pid, signal.SIGSTOP)
        time.sleep(1)
        for pid in pids_running("graders.harness"):
            os.kill(pid, signal.SIGCONT)
    open(json_path, "w").write("[]")
    """
    result = hostile(tmp_path, body)
    assert result.status == "error"
    assert "stopped and resumed" in result.message


def test_peak_memory_of_the_worker_is_measured_from_outside(tmp_path: Path) -> None:
    """A call that touches 300 MB and frees it before returning: the measurer still sees the peak."""
    (tmp_path / "hog.py").write_text(textwrap.dedent("""
        def hog(n):
            block = bytearray(n)
            for i in range(0, n, 4096):
                block[i] = 1
            del block
            return "freed"
    """), encoding="utf-8")
    sandbox = Sandbox()
    with sandbox.workdir(tmp_path) as work:
        run = sandbox.measure("graders.measurer:probe",
                              ProbeJob(fn="hog:hog", args=[300_000_000], memory=True), workdir=work)
    assert run.fault is None, run.fault
    data = run.result or {}
    assert data["value"] == "freed"
    assert 290_000_000 < data["extra_bytes"] < 360_000_000, data
    if ROOT:
        assert data["memory_method"] == "VmHWM reset from outside (the worker's /proc is read-only)"


def test_a_worker_killed_by_a_signal_is_worded_like_any_crash(tmp_path: Path) -> None:
    result = hostile(tmp_path, "import ctypes\nctypes.string_at(0)\n")
    assert result.status == "error"
    assert "segmentation fault" in result.message


def test_a_non_dumpable_process_is_closed_to_an_equally_privileged_one() -> None:
    """The case of a learner's own laptop, where grader and learner are the same ordinary user and
    neither holds a capability: only non-dumpability keeps the grader's memory and pipes closed.
    Both sides here run without capabilities (graders.privileges.confine_learner); the control
    without make_undumpable() shows the door it closes."""
    import subprocess

    from graders.privileges import confine_learner

    holder = ("import os, sys, time\n"
              "from graders.privileges import make_undumpable\n"
              "if sys.argv[1] == 'undumpable':\n"
              "    make_undumpable()\n"
              "r, w = os.pipe()\n"
              "print(os.getpid(), w, flush=True)\n"
              "time.sleep(30)\n")
    learner = ("import os, sys\n"
               "pid, fd = sys.argv[1:]\n"
               "for path, mode in ((f'/proc/{pid}/mem', 'rb'), (f'/proc/{pid}/fd/{fd}', 'wb'), "
               "(f'/proc/{pid}/environ', 'rb')):\n"
               "    try:\n"
               "        open(path, mode).close()\n"
               "        print('OPENED', path)\n"
               "    except OSError as exc:\n"
               "        print(type(exc).__name__, path)\n")
    seen = {}
    for mode in ("undumpable", "dumpable"):
        trusted = subprocess.Popen([sys.executable, "-c", holder, mode], stdout=subprocess.PIPE, text=True,
                                   preexec_fn=confine_learner)
        try:
            assert trusted.stdout is not None
            pid, fd = trusted.stdout.readline().split()
            out = subprocess.run([sys.executable, "-c", learner, pid, fd], capture_output=True, text=True,
                                 preexec_fn=confine_learner, timeout=30)
            seen[mode] = [line.split()[0] for line in out.stdout.splitlines()]
        finally:
            trusted.kill()
            trusted.wait()
            if trusted.stdout:
                trusted.stdout.close()
    assert seen["dumpable"] == ["OPENED"] * 3  # the control: without it, memory, pipes and env are open
    assert seen["undumpable"] == ["PermissionError"] * 3
