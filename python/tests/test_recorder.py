import hashlib
import json
import os
import re

import numpy as np
import pytest

import sgdscope
from helpers import C, P, labels, logits, softmax


def record(project, run="r", nets=2, epochs=(0, 1, 2.5), **kw):
    kw.setdefault("probe_labels", labels())
    kw.setdefault("outputs", "logits")
    kw.setdefault("classes", C)
    with sgdscope.Recorder(project, run=run, nets=nets, **kw) as rec:
        for e in epochs:
            for k in range(nets):
                rec.snapshot(net=k, epoch=e, outputs=logits(k, e), metrics={"train_loss": k + e, "test_error": 0.5})
    return rec


def test_round_trip_logits(tmp_path):
    p = tmp_path / "p.sgdscope"
    record(p, meta={"lr": 0.1, "model": "cnn"}, probe_id="test:0:40")
    r = sgdscope.open_run(p, "r")
    assert r.format == 2 and r.kind == "external" and r.status == "complete"
    assert r.tau.dtype == np.float32 and r.tau.shape == (2, 3, P, C)
    for k in range(2):
        for j, e in enumerate((0, 1, 2.5)):
            np.testing.assert_array_equal(r.tau[k, j], softmax(logits(k, e)))
    np.testing.assert_array_equal(r.kappa, np.argmax(r.tau, axis=-1))
    np.testing.assert_array_equal(r.epochs, [0, 1, 2.5])
    assert np.isnan(r.samples).all()
    assert r.done.all()
    np.testing.assert_array_equal(r.metrics["train_loss"], [[0, 1, 2.5], [1, 2, 3.5]])
    np.testing.assert_array_equal(r.metrics["test_error"], np.full((2, 3), 0.5, np.float32))
    assert np.isnan(r.metrics["test_loss"]).all()
    np.testing.assert_array_equal(r.labels, labels())
    assert r.meta == {"lr": 0.1, "model": "cnn"}
    assert r.spec["outputs"] == "logits" and r.spec["source"] == "python"
    sha = hashlib.sha256(labels().astype("<i4").tobytes()).hexdigest()
    assert r.probe == {"size": P, "labelsSha256": sha, "id": "test:0:40"}
    assert r.weights is None and r.probe_inputs is None
    tau_meta = json.load(open(p / "runs/r/tau/zarr.json"))
    assert tau_meta["attributes"] == {"transform": "softmax"}
    # The project lists the run; no temporary or lock files are left.
    assert [i.id for i in sgdscope.list_runs(p)] == ["r"]
    leftovers = [f for _, _, fs in os.walk(p) for f in fs if f.endswith(".sgdscope-tmp") or f.endswith(".lock")]
    assert leftovers == [] and not [f for f in os.listdir(p / "runs/r") if f.startswith("lock")]


def test_probabilities_are_stored_as_given_and_checked(tmp_path):
    probs = softmax(logits(0, 0))
    with sgdscope.Recorder(tmp_path / "p", run="r", nets=1, probe_labels=labels(), outputs="probabilities",
                           classes=C) as rec:
        rec.snapshot(net=0, epoch=0, outputs=probs.astype(np.float64))
        with pytest.raises(ValueError, match=r"row 0 of outputs sums to 2, not 1; pass outputs='logits'"):
            rec.snapshot(net=0, epoch=1, outputs=np.full((P, C), 0.2))
        with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
            rec.snapshot(net=0, epoch=1, outputs=logits(0, 0))
    np.testing.assert_array_equal(sgdscope.open_run(tmp_path / "p").tau[0, 0], probs)


def test_values_runs_have_no_kappa(tmp_path):
    with sgdscope.Recorder(tmp_path / "p", run="reg", nets=2, outputs="values", probe=5, output_dim=3) as rec:
        for k in range(2):
            rec.snapshot(net=k, epoch=0, outputs=np.arange(15.0).reshape(5, 3) * (k + 1))
    r = sgdscope.open_run(tmp_path / "p")
    assert r.point_shape == [5, 3] and r.spec["classes"] is None and r.outputs == "values"
    np.testing.assert_array_equal(r.tau[1, 0], np.arange(15.0).reshape(5, 3) * 2)
    np.testing.assert_array_equal(r.labels, [-1] * 5)
    with pytest.raises(ValueError, match=r"κ \(argmax class\) is not defined for run reg: its outputs are 'values'"):
        r.kappa
    # A one-value regression accepts [probe] outputs.
    with sgdscope.Recorder(tmp_path / "p", run="reg1", nets=1, outputs="values", probe=4) as rec:
        rec.snapshot(net=0, epoch=0, outputs=[1, 2, 3, 4])
    np.testing.assert_array_equal(sgdscope.open_run(tmp_path / "p", "reg1").tau[0, 0, :, 0], [1, 2, 3, 4])


def test_a_run_without_metrics(tmp_path):
    with sgdscope.Recorder(tmp_path / "p", run="r", nets=1, probe_labels=labels(), outputs="logits", classes=C,
                           metrics=[]) as rec:
        rec.snapshot(net=0, epoch=0, outputs=logits(0, 0))
        with pytest.raises(ValueError, match=r"metrics\['train_loss'\]: unknown metric for run r; its metrics are \[\]"):
            rec.snapshot(net=0, epoch=1, outputs=logits(0, 1), metrics={"train_loss": 1})
    r = sgdscope.open_run(tmp_path / "p")
    assert r.metrics == {} and r.done.all()
    assert json.load(open(tmp_path / "p/runs/r/metrics/zarr.json"))["chunk_grid"]["configuration"]["chunk_shape"] == [1, 1, 1]


def test_weights_architecture_and_probe_inputs(tmp_path):
    x = np.random.default_rng(1).integers(0, 256, (P, 4, 4), dtype=np.uint8)
    arch = {"kind": "mlp", "inputs": 16, "hidden": 3, "outputs": C, "activation": "sigmoid", "output": "softmax"}
    n = 16 * 3 + 3 + C * 3 + C
    with sgdscope.Recorder(tmp_path / "p", run="w", nets=2, probe_labels=labels(), outputs="logits", classes=C,
                           probe_inputs=x, architecture=arch) as rec:
        rec.snapshot(net=0, epoch=0, outputs=logits(0, 0), weights=np.arange(n, dtype=np.float64))
        rec.snapshot(net=1, epoch=0, outputs=logits(1, 0))
        rec.snapshot(net=1, epoch=1, outputs=logits(1, 1), weights=-np.arange(n))
        with pytest.raises(ValueError, match=rf"weights has shape \[{n - 1}\], expected \[{n}\] \(paramCount\)"):
            rec.snapshot(net=0, epoch=1, outputs=logits(0, 1), weights=np.zeros(n - 1))
        with pytest.raises(ValueError, match=r"weights must be a flat vector \[params\], got shape \[2, 3\]"):
            rec.snapshot(net=0, epoch=1, outputs=logits(0, 1), weights=np.zeros((2, 3)))
    r = sgdscope.open_run(tmp_path / "p")
    assert r.weights.shape == (2, 2, n) and r.weight_snapshots == [0, 1]
    np.testing.assert_array_equal(r.weights[0, 0], np.arange(n))
    np.testing.assert_array_equal(r.weights[1, 1], -np.arange(n))
    assert np.isnan(r.weights[1, 0]).all() and np.isnan(r.weights[0, 1]).all()
    assert r.architecture == arch and r.attrs["paramCount"] == n
    pix = (x.astype(np.float64) / 255).astype(np.float32)
    np.testing.assert_array_equal(r.probe_inputs, pix)
    assert r.probe["inputsSha256"] == hashlib.sha256(pix.astype("<f4").tobytes()).hexdigest()
    # A failed call recorded nothing: net 0 has no snapshot 1.
    assert r.done.tolist() == [[True, False], [True, True]]


def test_flat_weights_without_architecture_fix_param_count_at_first_use(tmp_path):
    with sgdscope.Recorder(tmp_path / "p", run="w", nets=1, probe_labels=labels(), outputs="logits", classes=C) as rec:
        rec.snapshot(net=0, epoch=0, outputs=logits(0, 0))
        rec.snapshot(net=0, epoch=1, outputs=logits(0, 1), weights=[1.0, 2.0, 3.0])
        with pytest.raises(ValueError, match=r"weights has shape \[2\], expected \[3\]"):
            rec.snapshot(net=0, epoch=2, outputs=logits(0, 2), weights=[1.0, 2.0])
    r = sgdscope.open_run(tmp_path / "p")
    assert r.weights.shape == (1, 2, 3) and r.weight_snapshots == [1]
    np.testing.assert_array_equal(r.weights[0, 1], [1, 2, 3])


class ArrayLike:
    """What a framework tensor looks like to NumPy: an object with __array__."""

    def __init__(self, a):
        self.a = a

    def __array__(self, dtype=None, copy=None):
        return self.a


class GradTensor:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad")


def test_accepts_array_likes(tmp_path):
    with sgdscope.Recorder(tmp_path / "p", run="r", nets=1, probe_labels=labels().tolist(), outputs="logits",
                           classes=np.int64(C)) as rec:
        rec.snapshot(net=np.int32(0), epoch=np.float32(0.5), outputs=ArrayLike(logits(0, 0.5)),
                     metrics={"train_loss": np.float32(0.25), "test_error": np.array(0.1)})
    r = sgdscope.open_run(tmp_path / "p")
    np.testing.assert_array_equal(r.tau[0, 0], softmax(logits(0, 0.5)))
    assert r.metrics["train_loss"][0, 0] == 0.25


MALFORMED = [
    (dict(outputs=np.zeros((P, C - 1))), ValueError, rf"outputs has shape \[{P}, {C - 1}\], expected \[{P}, {C}\]"),
    (dict(outputs=np.zeros((C, P))), ValueError, rf"outputs has shape \[{C}, {P}\], expected \[{P}, {C}\]"),
    (dict(outputs=np.where(np.eye(P, C) > 0, np.nan, 0)), ValueError,
     r"outputs has 10 NaN or infinite value\(s\) \(first at \[0, 0\]: nan\)"),
    (dict(outputs=np.full((P, C), np.inf)), ValueError, r"outputs has 400 NaN or infinite"),
    (dict(outputs=np.full((P, C), "x")), TypeError, r"outputs must hold real numbers, got dtype <U1"),
    (dict(outputs=[[1, 2], [3]]), (TypeError, ValueError), r"outputs"),
    (dict(outputs=GradTensor()), TypeError, r"outputs: cannot turn a .*GradTensor into a NumPy array .*detach\(\)"),
    (dict(net=2), ValueError, r"net=2 is out of range: run r has nets=2 \(0..1\)"),
    (dict(net=-1), ValueError, r"net=-1 is out of range"),
    (dict(net=1.0), TypeError, r"net must be an integer, got float 1.0"),
    (dict(net=True), TypeError, r"net must be an integer, got bool"),
    (dict(epoch=-1), ValueError, r"epoch=-1.0 must be >= 0"),
    (dict(epoch=float("nan")), ValueError, r"epoch must be finite"),
    (dict(epoch="3"), TypeError, r"epoch must hold real numbers"),
    (dict(epoch=0.5), ValueError, r"epoch=0.5 is not on run r's snapshot axis and comes before its last epoch 1"),
    (dict(epoch=1, net=0), ValueError, r"net 0 of run r already has a snapshot at epoch 1 \(snapshot 1\)"),
    (dict(metrics={"acc": 0.9}), ValueError, r"metrics\['acc'\]: unknown metric for run r; its metrics are \['train_"),
    (dict(metrics={"train_loss": float("nan")}), ValueError, r"metrics\['train_loss'\] must be finite, got nan"),
    (dict(metrics={"train_loss": [1, 2]}), ValueError, r"metrics\['train_loss'\] must be a single number, got an"),
    (dict(metrics=[0.1]), TypeError, r"metrics must be a dict of name -> number, got list"),
    (dict(weights=np.zeros(3) * np.nan), ValueError, r"weights has 3 NaN or infinite"),
    (dict(samples=-5), ValueError, r"samples=-5.0 must be >= 0"),
]


@pytest.mark.parametrize("bad,error,message", MALFORMED, ids=[m[2][:40] for m in MALFORMED])
def test_malformed_snapshot_calls(tmp_path, bad, error, message):
    with sgdscope.Recorder(tmp_path / "p", run="r", nets=2, probe_labels=labels(), outputs="logits", classes=C) as rec:
        rec.snapshot(net=0, epoch=0, outputs=logits(0, 0))
        rec.snapshot(net=0, epoch=1, outputs=logits(0, 1))
        call = dict(net=1, epoch=2, outputs=logits(1, 2))
        call.update(bad)
        with pytest.raises(error, match=message):
            rec.snapshot(**call)
        rec.snapshot(net=1, epoch=1, outputs=logits(1, 1))  # still usable
    r = sgdscope.open_run(tmp_path / "p")
    # Nothing of the bad call was recorded, nothing before it was lost.
    assert r.done.tolist() == [[True, True], [False, True]] and r.epochs.tolist() == [0, 1]


MALFORMED_RECORDERS = [
    (dict(outputs="logits", classes=None), ValueError, r"classes is required when outputs='logits'"),
    (dict(outputs="softmax"), ValueError, r"outputs='softmax' must be one of probabilities, logits, values"),
    (dict(outputs="values", classes=10), ValueError, r"classes must be None when outputs='values'"),
    (dict(probe_labels=None), ValueError, r"probe_labels is required when outputs='logits'"),
    (dict(probe_labels=np.zeros((P, 1), int)), ValueError, rf"probe_labels must be 1-D \[probe\], got shape \[{P}, 1\]"),
    (dict(probe_labels=np.r_[labels()[:-1], 10]), ValueError, rf"probe_labels\[{P - 1}\]=10 is not a class: expected 0..9"),
    (dict(probe_labels=np.full(P, 0.5)), ValueError, r"probe_labels must be integers"),
    (dict(run="../x"), ValueError, r"run='../x' is not a valid run name"),
    (dict(run=".hidden"), ValueError, r"is not a valid run name"),
    (dict(nets=0), ValueError, r"nets=0 is out of range \(expected >= 1\)"),
    (dict(nets="5"), TypeError, r"nets must be an integer, got str"),
    (dict(meta={"lr": float("nan")}), ValueError, r"meta must be JSON-serializable"),
    (dict(meta={"f": object()}), ValueError, r"meta must be JSON-serializable"),
    (dict(probe_inputs=np.zeros((P - 1, 3))), ValueError,
     rf"probe_inputs has {P - 1} rows \(shape \[{P - 1}, 3\]\) but probe_labels has {P}"),
    (dict(probe_inputs=np.zeros(P)), ValueError, rf"probe_inputs must be \[probe, ...\].*got shape \[{P}\]"),
    (dict(architecture={"kind": "resnet"}), ValueError, r"architecture\['kind'\] must be 'mlp'"),
    (dict(architecture={"kind": "mlp", "inputs": 3, "hidden": 2, "outputs": 5}), ValueError,
     r"architecture\['outputs'\]=5 but classes=10"),
    (dict(metrics=["a", "a"]), ValueError, r"metrics has repeated names"),
]


@pytest.mark.parametrize("bad,error,message", MALFORMED_RECORDERS, ids=[m[2][:40] for m in MALFORMED_RECORDERS])
def test_malformed_recorders(tmp_path, bad, error, message):
    kw = dict(run="r", nets=2, probe_labels=labels(), outputs="logits", classes=C)
    kw.update(bad)
    with pytest.raises(error, match=message):
        sgdscope.Recorder(tmp_path / "p", **kw)
    assert not (tmp_path / "p" / "runs" / "r").exists()


def test_joining_a_run_checks_that_it_matches(tmp_path):
    p = tmp_path / "p"
    record(p, nets=2)
    with pytest.raises(sgdscope.RunMismatchError, match=r"run r in .* exists with nets = 2, this recorder has 3"):
        sgdscope.Recorder(p, run="r", nets=3, probe_labels=labels(), outputs="logits", classes=C)
    with pytest.raises(sgdscope.RunMismatchError, match=r"exists with probe labels \(labelsSha256\) = "):
        sgdscope.Recorder(p, run="r", nets=2, probe_labels=(labels() + 1) % C, outputs="logits", classes=C)
    with pytest.raises(sgdscope.RunMismatchError, match=r"exists with outputs = logits, this recorder has probab"):
        sgdscope.Recorder(p, run="r", nets=2, probe_labels=labels(), outputs="probabilities", classes=C)
    with pytest.raises(sgdscope.RunMismatchError, match=r"exists with metrics \["):
        sgdscope.Recorder(p, run="r", nets=2, probe_labels=labels(), outputs="logits", classes=C, metrics=["x"])
    # A matching recorder extends it; epochs already on the axis are reused.
    with sgdscope.Recorder(p, run="r", nets=2, probe_labels=labels(), outputs="logits", classes=C) as rec:
        assert rec.snapshot(net=0, epoch=4, outputs=logits(0, 4)) == 3
    r = sgdscope.open_run(p)
    assert r.epochs.tolist() == [0, 1, 2.5, 4] and r.done[:, 3].tolist() == [True, False] and r.status == "complete"


def test_an_exception_marks_the_run_interrupted(tmp_path):
    p = tmp_path / "p"
    with pytest.raises(KeyError):
        with sgdscope.Recorder(p, run="r", nets=2, probe_labels=labels(), outputs="logits", classes=C) as rec:
            rec.snapshot(net=0, epoch=0, outputs=logits(0, 0))
            raise KeyError("boom")
    r = sgdscope.open_run(p)
    assert r.stored_status == "interrupted" and r.status == "interrupted" and r.done.tolist() == [[True], [False]]
    assert not [f for f in os.listdir(p / "runs/r") if f.startswith("lock")]
    with pytest.raises(RuntimeError, match=r"the Recorder of run r is closed"):
        rec.snapshot(net=1, epoch=0, outputs=logits(1, 0))


def test_run_ids_and_open_run_resolution(tmp_path):
    p = tmp_path / "p"
    record(p, run="alpha-1", nets=1, epochs=(0,))
    record(p, run="beta-2", nets=1, epochs=(0,))
    assert [r.id for r in sgdscope.list_runs(p)] == ["alpha-1", "beta-2"]
    assert sgdscope.open_run(p, "beta").id == "beta-2"
    assert sgdscope.open_run(p, 1).id == "alpha-1"
    assert sgdscope.open_run(p / "runs" / "alpha-1").id == "alpha-1"
    with pytest.raises(sgdscope.RunFormatError, match=r"holds 2 runs; say which"):
        sgdscope.open_run(p)
    with pytest.raises(sgdscope.RunFormatError, match=r"no run 'gamma'"):
        sgdscope.open_run(p, "gamma")
    with pytest.raises(sgdscope.RunFormatError, match=r"is not an sgdscope project"):
        sgdscope.open_run(tmp_path)


def test_a_newer_format_is_refused(tmp_path):
    p = tmp_path / "p"
    record(p, nets=1, epochs=(0,))
    meta = p / "runs/r/zarr.json"
    g = json.loads(meta.read_text())
    g["attributes"]["sgdscope"]["format"] = 5
    meta.write_text(json.dumps(g))
    with pytest.raises(sgdscope.RunFormatError, match=re.escape("run format 5, this version reads up to 4); update")):
        sgdscope.open_run(p)


def test_threads_share_a_small_pool_of_open_files(tmp_path, monkeypatch):
    # A recorder fed from many threads opens at most MAX_OPEN_FILES files at once (each thread
    # at most two: a lock folder's and one file), as the engine's file pool does.
    import threading

    from sgdscope import _files

    monkeypatch.setattr(_files, "_slots", threading.BoundedSemaphore(3))
    _files.file_slot_stats(reset=True)
    p = tmp_path / "p.sgdscope"
    nets, epochs = 24, (0, 1, 2)
    rec = sgdscope.Recorder(p, run="r", nets=nets, probe_labels=labels(), outputs="logits", classes=C)
    errors = []
    go = threading.Barrier(nets)

    def one(k):
        try:
            go.wait()
            for e in epochs:
                rec.snapshot(net=k, epoch=e, outputs=logits(k, e))
        except BaseException as ex:  # noqa: BLE001 - reported below
            errors.append(ex)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(nets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rec.close()
    assert errors == []
    assert 1 <= _files.file_slot_stats()["peak"] <= 3
    assert _files.file_slot_stats()["active"] == 0
    r = sgdscope.open_run(p, "r")
    assert r.done.all() and r.tau.shape == (nets, len(epochs), P, C)
    for k in range(nets):
        for j, e in enumerate(epochs):
            np.testing.assert_array_equal(r.tau[k, j], softmax(logits(k, e)))
