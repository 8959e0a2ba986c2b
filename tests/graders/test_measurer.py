"""The measurer's handle on a learner worker: answers, the learner's faults, and a misbehaving link.

A real ``python -I -m graders.worker`` runs here without the sandbox, so each case is quick; the
same paths through the sandbox are in test_trusted_measurement.py.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TypedDict

import pytest

from graders import wire
from graders.faults import LearnerFault, LearnerRaised
from graders.measurer import PeakMemory, ServiceRefused, Worker, expect

SOLUTION = '''
import os, socket, sys, threading, time

def add(a, b):
    return a + b

def echo(*args, **kwargs):
    return [list(args), kwargs]

def boom():
    raise ValueError("bad row")

def todo():
    raise NotImplementedError("later")

def leave():
    sys.exit(3)

def die():
    os._exit(0)

def slow(seconds):
    time.sleep(seconds)
    return "late"

def huge():
    return "x" * 3_000_000

def model():
    class Net:
        pass
    return Net()

def scribble():
    # Write garbage on every descriptor this process has (the link among them).
    for fd in os.listdir("/proc/self/fd"):
        try:
            os.write(int(fd), b"garbage" * 10)
        except OSError:
            pass
    return 1

def reply_ahead(extra):
    # Find the link and send a well-formed extra reply after our real one: "unsolicited" later.
    from graders import wire
    def kind(n):
        try:
            return os.readlink(f"/proc/self/fd/{n}")
        except OSError:
            return ""
    fd = next(int(n) for n in os.listdir("/proc/self/fd") if kind(n).startswith("socket:"))
    link = socket.socket(fileno=os.dup(fd))
    def later():
        time.sleep(0.3)
        link.sendall(wire.encode({"id": "guess", "value": extra}))
    threading.Thread(target=later).start()
    return "first"

def stop_measurer(pid):
    os.kill(pid, signal_stop())
    return "stopped"

def signal_stop():
    import signal
    return signal.SIGSTOP

def tensor(n):
    import torch
    return torch.arange(n, dtype=torch.float32)

def takes_tensor(t):
    return [type(t).__module__.split(".")[0], list(t.shape), float(t.sum())]

def ask_double(n):
    from graders.worker import ask
    return ask("double", n)

def ask_refused():
    from graders.worker import ServiceError, ask
    try:
        ask("double", "not a number")
    except ServiceError as exc:
        return f"refused: {exc}"
    return "answered"

def ask_unknown():
    from graders.worker import ServiceError, ask
    try:
        ask("oracle")
    except ServiceError as exc:
        return str(exc)

def ask_from_threads(k):
    import concurrent.futures
    from graders.worker import ask
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return sorted(pool.map(lambda n: ask("double", n), range(k)))

def ask_later():
    from graders.worker import ServiceError, ask
    def later():
        time.sleep(0.2)
        try:
            ask("double", 1)
        except ServiceError as exc:
            print("later:", exc)
    threading.Thread(target=later).start()
    return "returned"

boom_at_import = None
'''


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    (tmp_path / "solution.py").write_text(SOLUTION, encoding="utf-8")
    (tmp_path / "broken.py").write_text("import no_such_module_anywhere\n", encoding="utf-8")
    ours, theirs = socket.socketpair()
    proc = subprocess.Popen([sys.executable, "-I", "-m", "graders.worker", str(theirs.fileno())],
                            pass_fds=(theirs.fileno(),), cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    theirs.close()
    fd = ours.detach()
    handle = Worker.connect(fd, timeout_s=20)
    try:
        yield handle
    finally:
        handle.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stdout and proc.stderr
        proc.stdout.close()
        proc.stderr.close()


def test_calls_return_values_and_are_timed_from_outside(worker: Worker) -> None:
    assert worker.call("solution:add", 2, 3) == 5
    assert worker.last_seconds > 0
    assert worker.call("solution:echo", 1, "a", k=[1, 2]) == [[1, "a"], {"k": [1, 2]}]
    worker.call("solution:slow", 0.3)
    assert 0.3 <= worker.last_seconds < 5


def test_the_worker_reports_who_it_is_before_any_learner_code_runs(worker: Worker) -> None:
    assert worker.pid != os.getpid()
    assert "platform" in worker.isolation


def test_the_worker_can_be_tidied_and_weighed_from_here(worker: Worker) -> None:
    assert worker.adapter("graders.worker:collect_garbage", returns=int) >= 0
    assert 5_000_000 < worker.rss_bytes() < 500_000_000


def test_the_learners_exception_is_raised_here_with_its_own_traceback(worker: Worker) -> None:
    with pytest.raises(LearnerRaised) as info:
        worker.call("solution:boom")
    exc = info.value
    assert exc.status == "error" and exc.wrong_answer and not exc.not_implemented
    assert exc.message == "your code raised ValueError: bad row"
    assert 'File "solution.py", line' in exc.detail and exc.summary == "ValueError: bad row"
    assert worker.call("solution:add", 1, 1) == 2  # one exception does not end the worker


def test_not_implemented_fails_and_sys_exit_is_no_wrong_answer(worker: Worker) -> None:
    with pytest.raises(LearnerRaised) as info:
        worker.call("solution:todo")
    assert info.value.status == "fail" and info.value.not_implemented and not info.value.wrong_answer
    assert info.value.message == "not implemented yet: later"
    with pytest.raises(LearnerRaised) as info:
        worker.call("solution:leave")
    assert info.value.status == "error" and not info.value.wrong_answer and "sys.exit(3)" in info.value.message


def test_a_missing_function_or_module_fails(worker: Worker) -> None:
    with pytest.raises(LearnerFault) as info:
        worker.load("solution:nowhere")
    assert info.value.status == "fail" and info.value.message == "solution.py has no function nowhere()"
    with pytest.raises(LearnerFault) as info:
        worker.call("absent:fn")
    assert info.value.status == "fail" and "absent.py is missing" in info.value.message


def test_an_import_error_in_the_learners_module_is_theirs(worker: Worker) -> None:
    with pytest.raises(LearnerRaised) as info:
        worker.load("broken:fn")
    assert info.value.status == "error" and "no_such_module_anywhere" in info.value.message
    assert 'File "broken.py", line 1' in info.value.detail


def test_an_unsendable_return_value_is_opaque_and_returns_can_refuse_it(worker: Worker) -> None:
    assert isinstance(worker.call("solution:model"), wire.Opaque)
    with pytest.raises(LearnerFault) as info:
        worker.call("solution:model", returns=wire.Array)
    assert info.value.status == "fail" and "model() returned the wrong kind of value" in info.value.message


def test_arrays_arrive_as_what_they_were_sent_as(worker: Worker) -> None:
    torch = pytest.importorskip("torch")
    got = worker.call("solution:takes_tensor", wire.Array.from_torch(torch.ones(2, 3)))
    assert got == ["torch", [2, 3], 6.0]
    back = worker.call("solution:tensor", 4, returns=wire.Array)
    assert torch.equal(back.to_torch(), torch.arange(4, dtype=torch.float32))


def test_a_late_reply_is_a_fault_and_the_link_is_not_used_again(worker: Worker) -> None:
    with pytest.raises(LearnerFault, match=r"slow\(\) did not answer within 0.2 s") as info:
        worker.call("solution:slow", 3, timeout_s=0.2)
    assert info.value.status == "error"
    with pytest.raises(LearnerFault, match="did not answer"):  # the stale reply will never be taken
        worker.call("solution:add", 1, 2)


def test_an_oversized_reply_is_a_fault(worker: Worker) -> None:
    with pytest.raises(LearnerFault, match="more than the grader reads") as info:
        worker.call("solution:huge", max_reply_bytes=1_000_000)
    assert info.value.status == "error"


def test_the_worker_ending_is_a_fault_the_sandbox_can_word(worker: Worker) -> None:
    with pytest.raises(LearnerFault) as info:
        worker.call("solution:die")
    assert info.value.detail == "worker-ended" and info.value.status == "error"


def test_garbage_written_on_the_link_is_refused(worker: Worker) -> None:
    with pytest.raises(LearnerFault, match="results must come from the grader") as info:
        worker.call("solution:scribble")
    assert info.value.status == "error"


def test_a_reply_nobody_asked_for_is_refused_before_the_next_request(worker: Worker) -> None:
    assert worker.call("solution:reply_ahead", "forged") == "first"
    time.sleep(0.6)
    with pytest.raises(LearnerFault, match="results must come from the grader"):
        worker.call("solution:add", 1, 2)


def test_stopping_and_continuing_the_measurer_voids_the_measurement(worker: Worker) -> None:
    # The learner's code stops this process; something (here, a helper) continues it.
    helper = subprocess.Popen([sys.executable, "-c", f"import os, signal, time; time.sleep(0.5); "
                               f"os.kill({os.getpid()}, signal.SIGCONT)"])
    try:
        worker.call("solution:stop_measurer", os.getpid())
    except LearnerFault as exc:
        assert "stopped and resumed" in exc.message
    else:
        with pytest.raises(LearnerFault, match="stopped and resumed"):
            worker.call("solution:add", 1, 2)
    helper.wait(timeout=10)
    assert worker.stopped


def test_an_adapters_reply_is_checked_against_its_type(worker: Worker) -> None:
    class Shape(TypedDict):
        found: bool
        weight: wire.Array | None

    with pytest.raises(LearnerFault, match="replied out of shape") as info:
        worker.adapter("graders.privileges:isolation", returns=Shape)
    assert info.value.status == "error"


def _double(args: list[Any]) -> int:
    (n,) = args
    if not isinstance(n, int):
        raise ServiceRefused(f"double wants an int, not {type(n).__name__}")
    return 2 * n


def test_the_learners_code_asks_the_measurers_services_during_a_call(worker: Worker) -> None:
    assert worker.call("solution:ask_double", 21, services={"double": _double}) == 42
    assert worker.call("solution:ask_from_threads", 20, services={"double": _double}) == [2 * n for n in range(20)]


def test_a_refused_or_unknown_service_is_an_exception_in_the_learners_code(worker: Worker) -> None:
    assert worker.call("solution:ask_refused", services={"double": _double}) == \
        "refused: double wants an int, not str"
    message = worker.call("solution:ask_unknown", services={"double": _double})
    assert "no service 'oracle'" in message and "double" in message


def test_asking_where_no_service_is_offered_is_a_fault(worker: Worker) -> None:
    with pytest.raises(LearnerFault, match="a service it does not offer"):
        worker.call("solution:ask_double", 1)


def test_asking_after_the_call_returned_is_refused_in_the_worker(worker: Worker) -> None:
    assert worker.call("solution:ask_later", services={"double": _double}) == "returned"
    time.sleep(0.5)
    assert worker.call("solution:add", 1, 2) == 3  # the late ask never reached the link


class _Optional(TypedDict, total=False):
    note: str  # (NotRequired[...] is not seen under `from __future__ import annotations` on Python 3.11)


class Reply(_Optional):
    r2: float | None
    devices: list[str]
    mode: Literal["fit", "eval"]
    weights: dict[str, wire.Array]


GOOD: dict[str, Any] = {"r2": 1, "devices": ["cpu"], "mode": "fit", "weights": {}}


def test_expect_accepts_what_its_type_says() -> None:
    assert expect(GOOD, Reply) is GOOD
    array = wire.Array("float32", (1,), b"\0" * 4)
    assert expect({**GOOD, "r2": None, "note": "", "weights": {"w": array}}, Reply)["weights"]["w"] is array
    assert expect([1, 2.5], list[float]) == [1, 2.5]


@pytest.mark.parametrize(("value", "fragment"), [
    ({**GOOD, "devices": ["cpu", 3]}, "devices[1]: expected str, got int 3"),
    ({**GOOD, "r2": "1.0"}, "r2: expected float | None, got str '1.0'"),
    ({**GOOD, "r2": True}, "r2: expected float | None, got bool True"),  # no bool for a number
    ({**GOOD, "mode": "train"}, "mode: expected one of ['fit', 'eval']"),
    ({**GOOD, "weights": {"w": [0.5]}}, "weights.w: expected Array, got list [0.5]"),
    ({"r2": 1.0, "devices": []}, "missing mode, weights"),
    ({**GOOD, "extra": 1}, "unexpected extra"),
    ([GOOD], "expected an object (Reply), got a list"),
])
def test_expect_names_the_first_difference(value: Any, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        expect(value, Reply, what="the reply")


def test_expect_counts_an_int_as_a_float_but_not_a_float_as_an_int() -> None:
    assert expect(3, float) == 3
    with pytest.raises(ValueError, match=r"expected int, got float 3\.0"):
        expect(3.0, int)


# --- memory, from outside ------------------------------------------------------------------------

HOG = textwrap.dedent('''
    import sys, time
    sys.stdin.readline()                      # the window is open
    hog = bytearray(200_000_000)
    for i in range(0, len(hog), 4096):
        hog[i] = 1                            # touch every page
    del hog
    if sys.argv[1] == "reset":
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")                      # hide the peak
    print("done", flush=True)
    sys.stdin.readline()
''')


def hog(mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", HOG, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)


def run_window(proc: subprocess.Popen[str], **kwargs: Any) -> PeakMemory:
    assert proc.stdin and proc.stdout
    time.sleep(0.3)  # the interpreter is up
    peak = PeakMemory(proc.pid, **kwargs)
    try:
        with peak:
            proc.stdin.write("go\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "done"
    finally:
        proc.stdin.write("end\n")
        proc.stdin.flush()
        proc.wait(timeout=10)
    return peak


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_a_freed_peak_is_seen_from_outside() -> None:
    peak = run_window(hog("keep"))
    assert 190_000_000 < peak.extra_bytes < 260_000_000, peak.extra_bytes
    assert peak.method.startswith("VmHWM reset from outside")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_a_process_resetting_its_own_high_water_mark_is_caught() -> None:
    with pytest.raises(LearnerFault, match="reset its process's memory high-water mark"):
        run_window(hog("reset"))
