"""Hostile learner code: each attack is contained, reported with a clear message, and our process
lives on. The learner's code is a csv-to-json ``data_loader.py`` graded through the real pipeline.

Isolation is tested without sending traffic anywhere but loopback: by reading the child's network
interfaces, and by a loopback server in *this* process that the child must not reach.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil
import pytest

from graders.contract import GradeResult
from tests.graders.warm import cold_and_warm
from tests.helpers import LIBRARY_EXERCISES, REPO
from tracker.grading import GradeTarget, grade
from tracker.roadmap import load_roadmap

ROADMAP = load_roadmap(REPO / "roadmap.yaml")
LIBRARY = LIBRARY_EXERCISES / "csv-to-json"
start = cold_and_warm(elsewhere=frozenset({"test_a_niced_grader_stays_niced_in_the_new_sessions_it_starts"}))


def hostile(tmp_path: Path, body: str, *, wall_s: float = 20, memory: int = 1_000_000_000) -> GradeResult:
    """Grade a data_loader.py whose csv_to_json does ``body``; returns the result."""
    folder = tmp_path / "learner"
    folder.mkdir(exist_ok=True)
    code = "import os, sys, subprocess, socket, time, json\n\n\ndef csv_to_json(csv_path, json_path):\n"
    (folder / "data_loader.py").write_text(code + textwrap.indent(textwrap.dedent(body), "    "), encoding="utf-8")
    exercise = ROADMAP.exercise("csv-to-json")
    assert exercise is not None
    exercise = exercise.model_copy(update={"time_budget": wall_s, "memory": memory})
    return grade(GradeTarget(exercise, folder, LIBRARY), profile="cpu", seed=7, cuda=False)


def assert_contained(result: GradeResult, *fragments: str) -> None:
    assert result.status in ("fail", "error"), result
    text = result.message.lower()
    for fragment in fragments:
        assert fragment.lower() in text, result.message
    assert "Traceback (most recent call last)" not in result.message  # never one of ours


def test_endless_loop_times_out(tmp_path: Path) -> None:
    t0 = time.monotonic()
    result = hostile(tmp_path, "while True:\n    pass\n", wall_s=2)
    assert_contained(result, "timed out after 2 s")
    assert time.monotonic() - t0 < 15


def test_memory_bomb_is_stopped(tmp_path: Path) -> None:
    result = hostile(tmp_path, "hog = []\nwhile True:\n    hog.append(bytearray(50_000_000))\n",
                     memory=400_000_000)
    assert_contained(result, "used more than 400 MB of memory")


def test_segfault_is_a_crash_not_our_death(tmp_path: Path) -> None:
    result = hostile(tmp_path, "import ctypes\nctypes.string_at(0)\n")
    assert_contained(result, "segmentation fault")


@pytest.mark.parametrize("call", ["os._exit(0)", "sys.exit(0)"])
def test_early_exit_before_any_result(tmp_path: Path, call: str) -> None:
    result = hostile(tmp_path, f"{call}\n")
    assert result.status == "error"
    assert "exit" in result.message


def test_forged_results_on_every_channel_are_rejected(tmp_path: Path) -> None:
    forged = (
        '{"type": "result", "data": {"cases": []}}\n'
        '0000000000000000000000000000000000000000000000000000000000000000 {"type": "done"}\n'
        '{"slug": "csv-to-json", "status": "pass", "checks": []}\n'
    )
    body = f"""
    forged = {forged!r}
    print(forged); print(forged, file=sys.stderr)
    for fd in os.listdir("/proc/self/fd"):
        try:
            os.write(int(fd), forged.encode())
        except OSError:
            pass
    for name in ("result.json", "results.json", "../result.json"):
        with open(name, "w") as f:
            f.write(forged)
    """
    result = hostile(tmp_path, body)
    # The learner's process holds no result channel; what it wrote on the grader's link to it (the
    # only descriptor of ours it has) is refused as not a reply of the grader's worker.
    assert result.status == "error"
    assert "results must come from the grader" in result.message


def test_forged_result_printed_only_is_just_a_wrong_answer(tmp_path: Path) -> None:
    body = """
    print('{"type": "result", "status": "pass"}')
    open(json_path, "w").write("[]")
    """
    result = hostile(tmp_path, body)
    assert result.status == "fail"
    accuracy = result.check("accuracy")
    assert accuracy is not None and accuracy.status == "fail"


def test_new_session_child_does_not_outlive_the_run(tmp_path: Path) -> None:
    pidfile = tmp_path / "escapees.txt"
    body = f"""
    if not os.path.exists(json_path + ".spawned"):
        open(json_path + ".spawned", "w").close()
        subprocess.Popen([sys.executable, "-c", "import os, time; "
                          "f = open({str(pidfile)!r}, 'a'); f.write(str(os.getpid()) + chr(10)); f.close(); "
                          "time.sleep(600)"],
                         start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists({str(pidfile)!r}) and time.time() < deadline:
            time.sleep(0.05)
    open(json_path, "w").write("[]")
    """
    hostile(tmp_path, body)
    pids = [int(line) for line in pidfile.read_text().split()]
    assert pids
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_environment_has_no_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_fake_secret_value")
    monkeypatch.setenv("MY_SERVICE_SECRET", "hunter2")
    seen = tmp_path / "env.json"
    hostile(tmp_path, f"json.dump(dict(os.environ), open({str(seen)!r}, 'w'))\n")
    env = seen.read_text()
    assert "ghp_fake_secret_value" not in env and "hunter2" not in env
    assert '"HF_HUB_OFFLINE": "1"' in env


def test_hundred_megabytes_of_output_is_truncated(tmp_path: Path) -> None:
    body = """
    chunk = "x" * 1_000_000
    for _ in range(100):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    open(json_path, "w").write("[]")
    """
    t0 = time.monotonic()
    result = hostile(tmp_path, body)
    assert len(result.log) < 20_000
    assert "bytes of output cut" in result.log
    assert time.monotonic() - t0 < 30


def test_learner_changing_its_own_files_leaves_the_originals_untouched(tmp_path: Path) -> None:
    body = """
    here = os.path.dirname(os.path.abspath(__file__))
    for name in os.listdir(here):
        path = os.path.join(here, name)
        if os.path.isfile(path):
            open(path, "w").write("vandalised")
    open(json_path, "w").write("[]")
    """
    hostile(tmp_path, "pass\n")  # create the folder
    folder = tmp_path / "learner"
    (folder / "notes.txt").write_text("mine")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    hostile(tmp_path, body)
    # hostile() rewrote data_loader.py itself; everything else must be as it was
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after["notes.txt"] == before["notes.txt"]
    assert (folder / "data_loader.py").read_text() != "vandalised"


def test_import_error_is_reported_to_the_learner(tmp_path: Path) -> None:
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / "data_loader.py").write_text("import no_such_module_anywhere\n")
    exercise = ROADMAP.exercise("csv-to-json")
    assert exercise is not None
    result = grade(GradeTarget(exercise, folder, LIBRARY), profile="cpu", seed=1, cuda=False)
    assert_contained(result, "no_such_module_anywhere")
    assert 'File "data_loader.py", line 1' in result.message


def test_child_sees_only_loopback_and_cannot_reach_our_loopback_server(tmp_path: Path) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        server.settimeout(8)
        try:
            conn, _ = server.accept()
            accepted.append(conn)
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    report = tmp_path / "net.json"
    body = f"""
    names = [n for _, n in socket.if_nameindex()]
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
        reached = True
    except OSError:
        reached = False
    json.dump({{"interfaces": names, "reached": reached}}, open({str(report)!r}, "w"))
    """
    try:
        hostile(tmp_path, body)
    finally:
        thread.join()
        server.close()
    import json

    seen = json.loads(report.read_text())
    if seen["interfaces"] != ["lo"]:
        pytest.skip(f"network namespaces are not permitted here (child saw {seen['interfaces']})")
    assert seen["reached"] is False
    assert not accepted


def test_our_process_is_unharmed(tmp_path: Path) -> None:
    # After all of the above in one process: still here, no stray children of ours (a warm start's
    # zygote lives as long as we do, by design: graders.zygote).
    from graders import zygote

    hostile(tmp_path, "open(json_path, 'w').write('[]')\n")
    zygotes = {z.proc.pid for z in zygote._pool.values()}
    assert [c for c in psutil.Process(os.getpid()).children(recursive=True) if c.is_running()
            and c.status() != psutil.STATUS_ZOMBIE and c.pid not in zygotes] == []


def test_a_niced_grader_stays_niced_in_the_new_sessions_it_starts(tmp_path: Path) -> None:
    """Autogroup scheduling gives each session its own group at nice 0: a niced `sprint dev check`
    would compete as an equal with everything else unless the group takes the nice value too."""
    autogroup = Path("/proc/self/autogroup")
    if not autogroup.exists():
        pytest.skip("no autogroup scheduling here")
    (tmp_path / "probe.py").write_text(
        "import os\n"
        "def main(args, channel):\n"
        "    channel.result(autogroup=open('/proc/self/autogroup').read(), sid=os.getsid(0), pid=os.getpid())\n")
    code = ("import json, sys\nfrom pathlib import Path\nfrom graders.sandbox import Sandbox\n"
            "sb = Sandbox()\n"
            "with sb.workdir(Path(sys.argv[1])) as work:\n"
            "    run = sb.call('probe:main', {}, workdir=work)\n"
            "print(json.dumps(run.result))\n")
    out = subprocess.run(["nice", "-n", "7", sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, timeout=60, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["sid"] == result["pid"]  # the learner's process leads a session of its own
    assert result["autogroup"].strip().endswith("nice 7"), result["autogroup"]
