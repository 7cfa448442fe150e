"""The Python half of the cross-language checks in tests/python/recorder.test.ts.

  crosslang.py record PROJECT   records a run with known numbers, prints what it recorded (JSON)
  crosslang.py dump RUN_DIR     prints what open_run reads from a run (JSON)

Floats are printed as the doubles equal to their float32 values, NaN as null, so that
the TypeScript side can compare them exactly with what it reads."""
import json
import math
import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import sgdscope  # noqa: E402
from helpers import C, labels, logits  # noqa: E402


def plain(a):
    if a is None:
        return None
    a = np.asarray(a)
    if a.dtype.kind == "f":
        return [None if math.isnan(v) else v for v in a.astype(np.float64).ravel().tolist()]
    return a.ravel().tolist()


def record(project):
    x = np.random.default_rng(3).integers(0, 256, (len(labels()), 2, 3), dtype=np.uint8)
    arch = {"kind": "mlp", "inputs": 6, "hidden": 2, "outputs": C, "activation": "sigmoid", "output": "softmax"}
    n = 6 * 2 + 2 + C * 2 + C
    epochs = [0, 0.5, 1, 2]
    with sgdscope.Recorder(project, run="cross", nets=3, probe_labels=labels(), outputs="logits", classes=C,
                           meta={"lr": 0.1, "model": "tiny"}, probe_inputs=x, architecture=arch,
                           probe_id="test[0:40]") as rec:
        for j, e in enumerate(epochs):
            for k in range(3):
                if (k, j) == (2, 3):
                    continue  # one snapshot left out: done must say so
                rec.snapshot(net=k, epoch=e, outputs=logits(k, e), metrics={"train_loss": k + e, "test_error": 0.25},
                             weights=np.arange(n) * (k + 1) + e if j % 2 == 0 else None, samples=1000 * e)
    r = sgdscope.open_run(project, "cross")
    print(json.dumps({
        "runDir": r.path,
        "tau": plain(r.tau), "labels": plain(r.labels), "epochs": plain(r.epochs), "samples": plain(r.samples),
        "metrics": plain(np.stack([r.metrics[m] for m in r.metric_names], axis=-1)), "done": plain(r.done.astype(int)),
        "weights": plain(r.weights), "probeInputs": plain(r.probe_inputs), "rawInputs": plain(x),
        "paramCount": n,
    }))


def dump(run_dir):
    r = sgdscope.open_run(run_dir)
    print(json.dumps({
        "status": r.status, "nets": r.nets, "snapshots": r.snapshots, "pointShape": r.point_shape,
        "tau": plain(r.tau), "kappa": plain(r.kappa), "epochs": plain(r.epochs), "samples": plain(r.samples),
        "metricNames": r.metric_names, "metrics": plain(np.stack([r.metrics[m] for m in r.metric_names], axis=-1)),
        "done": plain(r.done.astype(int)), "weights": plain(r.weights), "weightSnapshots": r.weight_snapshots,
        "architecture": r.architecture, "spec": r.spec,
    }))


if __name__ == "__main__":
    {"record": record, "dump": dump}[sys.argv[1]](sys.argv[2])
