#!/usr/bin/env python3
"""Several seeds of a one-hidden-layer MLP trained on MNIST with SGD in plain NumPy,
recorded into an sgdscope project: outputs on the probe set (the first --probe test
images), metrics and weights at every snapshot.

The network is of sgdscope's own MLP family (sigmoid hidden layer, softmax output) and
its weights are recorded in the engine's layout, so the weight-space analyses (barriers,
matching) work on it too. Its probe set is the app's probe set with deskew off, so the
run can be compared with an in-app run trained with `dataset.deskew: false`.

  python3 examples/numpy_mlp.py --project my.sgdscope            # 4 seeds, 3 epochs
  python3 examples/numpy_mlp.py --quick --project /tmp/q.sgdscope  # CI-sized
  python3 examples/numpy_mlp.py --net 2 ...                      # one seed per process

Ctrl-C stops it; the run is then marked interrupted.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _datasets import load  # noqa: E402

try:
    import sgdscope
except ImportError:  # not pip-installed: use the package in this repository
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
    import sgdscope


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Mlp:
    """h = σ(x A + a), y = softmax(h Bᵀ + b); A is [inputs][hidden], B is [outputs][hidden]."""

    def __init__(self, inputs: int, hidden: int, outputs: int, rng: np.random.Generator) -> None:
        b1, b2 = 1 / np.sqrt(inputs), 1 / np.sqrt(hidden)  # PyTorch's default (torch7) bounds
        self.A = rng.uniform(-b1, b1, (inputs, hidden)).astype(np.float32)
        self.a = rng.uniform(-b1, b1, hidden).astype(np.float32)
        self.B = rng.uniform(-b2, b2, (outputs, hidden)).astype(np.float32)
        self.b = rng.uniform(-b2, b2, outputs).astype(np.float32)

    def forward(self, x: np.ndarray):
        h = sigmoid(x @ self.A + self.a)
        return h, softmax(h @ self.B.T + self.b)

    def step(self, x: np.ndarray, y: np.ndarray, lr: float) -> None:
        h, p = self.forward(x)
        d = p
        d[np.arange(len(y)), y] -= 1
        d /= len(y)  # gradient of the batch's mean cross-entropy w.r.t. the logits
        g = (d @ self.B) * h * (1 - h)
        self.B -= lr * (d.T @ h)
        self.b -= lr * d.sum(axis=0)
        self.A -= lr * (x.T @ g)
        self.a -= lr * g.sum(axis=0)

    def flat(self) -> np.ndarray:
        """The weights in sgdscope's MLP layout: A, a, B, b."""
        return np.concatenate([self.A.ravel(), self.a, self.B.ravel(), self.b])


def loss_error(model: Mlp, x: np.ndarray, y: np.ndarray):
    _, p = model.forward(x)
    loss = float(-np.log(np.maximum(p[np.arange(len(y)), y], 1e-30)).mean())
    return loss, float((p.argmax(axis=1) != y).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", default="examples.sgdscope", help="project folder (created if missing)")
    ap.add_argument("--run", default="numpy-mlp", help="run name in the project")
    ap.add_argument("--dataset", default="mnist", choices=["mnist", "fashion-mnist"])
    ap.add_argument("--nets", type=int, default=4, help="number of seeds")
    ap.add_argument("--net", type=int, help="train only this seed (0-based), e.g. one process per seed")
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--lr", type=float, default=0.5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--train", type=int, default=60000, help="training images used (the first N)")
    ap.add_argument("--probe", type=int, default=1000, help="probe set: the first N test images")
    ap.add_argument("--per-epoch", type=int, default=4, help="snapshots per epoch")
    ap.add_argument("--quick", action="store_true", help="a CI-sized run (3 seeds, 1 epoch of 10000 images)")
    a = ap.parse_args()
    if a.quick:
        a.nets, a.hidden, a.epochs, a.train, a.probe, a.per_epoch = 3, 32, 1, 10000, 500, 4

    train_x, train_y = load(a.dataset, "train")
    test_x, test_y = load(a.dataset, "test")
    x = (train_x[: a.train].reshape(-1, 784).astype(np.float64) / 255).astype(np.float32)
    y = train_y[: a.train].astype(np.int64)
    tx = (test_x.reshape(-1, 784).astype(np.float64) / 255).astype(np.float32)
    ty = test_y.astype(np.int64)
    probe_x, probe_y = test_x[: a.probe], test_y[: a.probe]
    subset = slice(0, min(5000, len(y)))  # train loss and error on a fixed subset

    arch = {"kind": "mlp", "inputs": 784, "hidden": a.hidden, "outputs": 10, "activation": "sigmoid", "output": "softmax"}
    steps_per_epoch = len(y) // a.batch
    total = int(round(a.epochs * steps_per_epoch))
    # Snapshot after these steps: --per-epoch evenly spaced points in every epoch.
    marks = {round(i * steps_per_epoch / a.per_epoch) for i in range(1, int(np.ceil(a.epochs * a.per_epoch)) + 1)}
    marks = {m for m in marks if m < total} | {total}
    meta = {"model": f"mlp-784-{a.hidden}-10", "framework": "numpy", "lr": a.lr, "batch": a.batch,
            "train": len(y), "dataset": a.dataset, "loss": "cross-entropy"}
    nets = [a.net] if a.net is not None else list(range(a.nets))
    with sgdscope.Recorder(a.project, run=a.run, nets=a.nets, probe_labels=probe_y, outputs="probabilities",
                           classes=10, meta=meta, probe_inputs=probe_x, architecture=arch,
                           probe_id=f"{a.dataset}:test[0:{a.probe}]") as rec:
        for k in nets:
            rng = np.random.default_rng([1, k])
            model = Mlp(784, a.hidden, 10, rng)
            started = time.monotonic()

            def snap(step: int) -> None:
                epoch = step / steps_per_epoch
                _, p = model.forward(tx[: a.probe])
                tl, te = loss_error(model, tx, ty)
                trl, tre = loss_error(model, x[subset], y[subset])
                rec.snapshot(net=k, epoch=epoch, outputs=p, weights=model.flat(), samples=step * a.batch,
                             metrics={"train_loss": trl, "train_error": tre, "test_loss": tl, "test_error": te})
                print(f"net {k} epoch {epoch:.2f}: test error {te:.2%} ({time.monotonic() - started:.1f} s)", flush=True)

            snap(0)
            order = rng.permutation(len(y))
            for step in range(1, total + 1):
                i = (step - 1) % steps_per_epoch
                if i == 0 and step > 1:
                    order = rng.permutation(len(y))
                batch = order[i * a.batch: (i + 1) * a.batch]
                model.step(x[batch], y[batch], a.lr)
                if step in marks:
                    snap(step)
    print(f"recorded run {a.run} in {os.path.abspath(a.project)}")


if __name__ == "__main__":
    main()
