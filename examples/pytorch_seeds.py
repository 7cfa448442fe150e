#!/usr/bin/env python3
"""Several seeds of a small CNN trained on MNIST (or Fashion-MNIST) with PyTorch on the
CPU, recorded into an sgdscope project: logits on the probe set (the first --probe test
images; stored after a softmax), metrics and the flat weight vector at every snapshot.

The probe images are fed to the network as pixels / 255, exactly the app's probe set
with deskew off, so the run compares with an in-app run trained with
`dataset.deskew: false` and the same `probe`.

  python3 examples/pytorch_seeds.py --project my.sgdscope             # 4 seeds, 2 epochs
  python3 examples/pytorch_seeds.py --quick --project /tmp/q.sgdscope  # about a minute
  for k in 0 1 2 3; do python3 examples/pytorch_seeds.py --net $k & done; wait   # one process per seed

Ctrl-C stops it; the run is then marked interrupted.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _datasets import load  # noqa: E402

try:
    import sgdscope
except ImportError:  # not pip-installed: use the package in this repository
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
    import sgdscope


class SmallCnn(nn.Module):
    def __init__(self, width: int = 8) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1)
        self.fc = nn.Linear(2 * width * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1000):
    """(logits, mean cross-entropy, error fraction) over x."""
    logits = torch.cat([model(x[i: i + batch]) for i in range(0, len(x), batch)])
    return logits, F.cross_entropy(logits, y).item(), (logits.argmax(1) != y).float().mean().item()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", default="examples.sgdscope", help="project folder (created if missing)")
    ap.add_argument("--run", default="pytorch-cnn-seeds", help="run name in the project")
    ap.add_argument("--dataset", default="mnist", choices=["mnist", "fashion-mnist"])
    ap.add_argument("--nets", type=int, default=4, help="number of seeds")
    ap.add_argument("--net", type=int, help="train only this seed (0-based), e.g. one process per seed")
    ap.add_argument("--width", type=int, default=8, help="channels of the first convolution")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--train", type=int, default=60000, help="training images used (the first N)")
    ap.add_argument("--test", type=int, default=10000, help="test images for test loss and error (the first N)")
    ap.add_argument("--probe", type=int, default=1000, help="probe set: the first N test images")
    ap.add_argument("--per-epoch", type=int, default=4, help="snapshots per epoch")
    ap.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--quick", action="store_true", help="a CI-sized run: 3 seeds, 1 epoch of 6400 images")
    a = ap.parse_args()
    if a.quick:
        a.nets, a.epochs, a.train, a.test, a.probe = 3, 1, 6400, 2000, 500
    torch.set_num_threads(a.threads)

    def tensors(images: np.ndarray, labels: np.ndarray):
        # pixels / 255 in float64, rounded to float32: the probe fingerprint's convention
        x = torch.from_numpy((images.astype(np.float64) / 255).astype(np.float32)).unsqueeze(1)
        return x, torch.from_numpy(labels.astype(np.int64))

    train_images, train_labels = load(a.dataset, "train")
    test_images, test_labels = load(a.dataset, "test")
    x, y = tensors(train_images[: a.train], train_labels[: a.train])
    tx, ty = tensors(test_images[: a.test], test_labels[: a.test])
    px, _ = tensors(test_images[: a.probe], test_labels[: a.probe])

    steps_per_epoch = len(y) // a.batch
    # Snapshot after these steps: --per-epoch evenly spaced points in every epoch.
    marks = {round(i * steps_per_epoch / a.per_epoch) for i in range(1, a.per_epoch * a.epochs + 1)}
    meta = {"model": f"cnn-{a.width}-{2 * a.width}", "framework": "pytorch", "lr": a.lr, "momentum": a.momentum,
            "batch": a.batch, "train": len(y), "dataset": a.dataset}
    nets = [a.net] if a.net is not None else list(range(a.nets))
    with sgdscope.Recorder(a.project, run=a.run, nets=a.nets, probe_labels=test_labels[: a.probe], outputs="logits",
                           classes=10, meta=meta, probe_inputs=test_images[: a.probe],
                           probe_id=f"{a.dataset}:test[0:{a.probe}]") as rec:
        for k in nets:
            torch.manual_seed(k)
            model = SmallCnn(a.width)
            opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
            gen = torch.Generator().manual_seed(1000 + k)
            started = time.monotonic()

            def snap(step: int) -> None:
                model.eval()
                logits, _, _ = evaluate(model, px, torch.zeros(len(px), dtype=torch.int64))
                tl, te = evaluate(model, tx, ty)[1:]
                model.train()
                epoch = step / steps_per_epoch
                rec.snapshot(net=k, epoch=epoch, outputs=logits.numpy(), samples=step * a.batch,
                             weights=nn.utils.parameters_to_vector(model.parameters()).detach().numpy(),
                             metrics={"train_loss": train_loss, "test_loss": tl, "test_error": te})
                print(f"net {k} epoch {epoch:.2f}: test error {te:.2%} ({time.monotonic() - started:.1f} s)", flush=True)

            train_loss = evaluate(model, x[:2000], y[:2000])[1]
            snap(0)
            step = 0
            for _ in range(a.epochs):
                order = torch.randperm(len(y), generator=gen)
                running = []
                for i in range(steps_per_epoch):
                    batch = order[i * a.batch: (i + 1) * a.batch]
                    loss = F.cross_entropy(model(x[batch]), y[batch])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    running.append(loss.item())
                    step += 1
                    if step in marks:
                        train_loss = float(np.mean(running))  # mean minibatch loss since the last snapshot
                        running = []
                        snap(step)
    print(f"recorded run {a.run} in {os.path.abspath(a.project)}")


if __name__ == "__main__":
    main()
