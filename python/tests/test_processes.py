"""Recording from several processes at once, and processes that die while recording."""
import json
import os
import signal
import socket
import subprocess
import sys

import numpy as np
import pytest

import sgdscope
from helpers import C, labels, logits, softmax

WRITER = os.path.join(os.path.dirname(__file__), "writer.py")


def writer(project, *args):
    return subprocess.Popen([sys.executable, WRITER, str(project), "r", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_snapshots(proc, n):
    """Reads the writer's lines until it has reported n snapshots."""
    seen = 0
    while seen < n:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"writer exited early: {proc.stderr.read()}")
        seen += line.startswith("snapshot")


def check_recorded(run):
    """Every snapshot marked done holds exactly the data its writer computed."""
    for k in range(run.nets):
        for j in range(run.snapshots):
            if run.done[k, j]:
                e = run.epochs[j]
                np.testing.assert_array_equal(run.tau[k, j], softmax(logits(k, e)))
                assert run.metrics["train_loss"][k, j] == np.float32(1 / (e + 1))
                np.testing.assert_array_equal(run.weights[k, j], logits(k, e)[0].astype(np.float32))


def test_four_concurrent_writers_lose_nothing(tmp_path):
    p, go, E = tmp_path / "p.sgdscope", tmp_path / "go", 40
    procs = [writer(p, "--nets", 4, "--net", k, "--epochs", E, "--go", go) for k in range(4)]
    go.write_text("")
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert out.count("snapshot") == E
    r = sgdscope.open_run(p)
    assert r.status == "complete" and r.stored_status == "complete"
    assert r.snapshots == E and r.epochs.tolist() == list(range(E))
    assert r.done.all(), f"missing (net, snapshot): {np.argwhere(~r.done).tolist()}"
    np.testing.assert_array_equal(r.samples, 100 * np.arange(E))
    check_recorded(r)
    files = os.listdir(p / "runs/r")
    assert not [f for f in files if f.startswith("lock") or f.endswith(".lock") or f.endswith("-tmp")], files
    assert sorted(os.listdir(p / "runs")) == ["r"]  # no creation folder left behind


def test_a_sigkilled_writer_leaves_a_readable_interrupted_run(tmp_path):
    p = tmp_path / "p"
    proc = writer(p, "--nets", 2, "--net", 1, "--forever")
    wait_for_snapshots(proc, 5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    r = sgdscope.open_run(p)
    # The stored status still says running; the dead writer's lock file says otherwise.
    assert r.stored_status == "running" and r.status == "interrupted"
    locks = [f for f in os.listdir(p / "runs/r") if f.startswith("lock-recorder-")]
    assert len(locks) == 1 and json.loads((p / "runs/r" / locks[0]).read_text())["pid"] == proc.pid
    assert r.done[1, :5].all() and not r.done[0].any()
    check_recorded(r)
    # A new writer of the same network takes it over; once it closes, the run is complete.
    with sgdscope.Recorder(p, run="r", nets=2, probe_labels=labels(), outputs="logits", classes=C) as rec:
        rec.snapshot(net=1, epoch=r.epochs[-1] + 1, outputs=logits(1, r.epochs[-1] + 1))
        rec.snapshot(net=0, epoch=r.epochs[-1] + 1, outputs=logits(0, r.epochs[-1] + 1))
    assert sgdscope.open_run(p).status == "complete"
    assert not [f for f in os.listdir(p / "runs/r") if f.startswith("lock")]


def test_a_dead_writer_of_another_network_keeps_the_run_interrupted(tmp_path):
    p = tmp_path / "p"
    proc = writer(p, "--nets", 2, "--net", 1, "--forever")
    wait_for_snapshots(proc, 2)
    proc.kill()
    proc.wait()
    with sgdscope.Recorder(p, run="r", nets=2, probe_labels=labels(), outputs="logits", classes=C) as rec:
        rec.snapshot(net=0, epoch=0, outputs=logits(0, 0))
    r = sgdscope.open_run(p)
    assert r.stored_status == "interrupted" and r.status == "interrupted"


@pytest.mark.parametrize("how", ["sigterm", "sigint", "exit-without-close"])
def test_a_terminated_writer_marks_the_run_interrupted(tmp_path, how):
    p = tmp_path / "p"
    if how in ("sigterm", "sigint"):
        proc = writer(p, "--nets", 2, "--net", 0, "--forever")
        wait_for_snapshots(proc, 3)
        proc.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        if how == "sigterm":
            assert proc.returncode == 128 + signal.SIGTERM, err
        else:  # an uncaught KeyboardInterrupt
            assert proc.returncode != 0 and "KeyboardInterrupt" in err
    else:
        proc = writer(p, "--nets", 2, "--net", 0, "--epochs", 3, "--no-close")
        proc.communicate(timeout=60)
        assert proc.returncode == 0
    r = sgdscope.open_run(p)
    assert r.stored_status == "interrupted" and r.status == "interrupted" and r.done[0, :3].all()
    assert not [f for f in os.listdir(p / "runs/r") if f.startswith("lock")]
    check_recorded(r)


def test_a_network_is_recorded_by_one_process(tmp_path):
    p = tmp_path / "p"
    proc = writer(p, "--nets", 2, "--net", 1, "--forever")
    try:
        wait_for_snapshots(proc, 1)
        r = sgdscope.open_run(p)
        assert r.status == "running"
        with sgdscope.Recorder(p, run="r", nets=2, probe_labels=labels(), outputs="logits", classes=C) as rec:
            with pytest.raises(RuntimeError, match=rf"net 1 of run r is being recorded by process {proc.pid}"):
                rec.snapshot(net=1, epoch=0, outputs=logits(1, 0))
            rec.snapshot(net=0, epoch=0, outputs=logits(0, 0))
        # The other writer is still alive: closing this one does not complete the run.
        assert sgdscope.open_run(p).stored_status == "running"
    finally:
        proc.kill()
        proc.wait()


def test_a_stale_snapshots_lock_is_taken_over(tmp_path):
    p = tmp_path / "p"
    with sgdscope.Recorder(p, run="r", nets=1, probe_labels=labels(), outputs="logits", classes=C) as rec:
        rec.snapshot(net=0, epoch=0, outputs=logits(0, 0))
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        lock = p / "runs/r/snapshots.lock"
        lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))
        rec.snapshot(net=0, epoch=1, outputs=logits(0, 1))
    assert not lock.exists() and sgdscope.open_run(p).done.all()
