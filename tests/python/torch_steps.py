"""Trains one sgdscope network in PyTorch, step for step, and writes its outputs on the probe set.

Usage: python3 tests/python/torch_steps.py BUNDLE_DIR...  (one process for many: torch loads once)

Each BUNDLE_DIR (written by tests/python/torch-steps.test.ts from the engine's own objects) holds
  config.json  the run's spec fields that matter here, plus inputs, outputs, steps,
               trainCount, the hidden widths and the number of probe images
  params.f32   the network's initial parameters as sgdscope records them (the fused
               layout, docs/run-format.md): first layer input-major [inputs][H1], its
               biases, each further layer [H_l][H_(l-1)] and biases, then [outputs][H_L]
               and the output biases
  order.u32    the training-sample index of every sample of the steps, in order (the
               engine's per-epoch shuffles, concatenated)
  train.f32    the dense training images [trainCount][inputs]; labels.u8 their labels
  probe.f32    the dense probe images [probe][inputs]
and receives
  tau.f32      the outputs on the probe images after the steps [probe][outputs]:
               sigmoid outputs (mse) or softmax probabilities (cross-entropy), as τ.

Everything is float32, with torch.optim.SGD (momentum, nesterov, weight_decay) and
PyTorch's own schedulers stepped once per batch: StepLR, LinearLR (the `linear` decay),
CosineAnnealingLR, and LinearLR as the warm-up chained with them (ChainedScheduler).
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


def main(bundle: str) -> None:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    cfg = json.load(open(os.path.join(bundle, "config.json")))
    I, K = cfg["inputs"], cfg["outputs"]
    widths = cfg["hidden"]
    read = lambda name, dt: np.fromfile(os.path.join(bundle, name), dtype=dt)
    flat = read("params.f32", np.float32)
    order = read("order.u32", np.uint32).astype(np.int64)
    train = torch.from_numpy(read("train.f32", np.float32).reshape(cfg["trainCount"], I))
    labels = torch.from_numpy(read("labels.u8", np.uint8).astype(np.int64))
    probe = torch.from_numpy(read("probe.f32", np.float32).reshape(-1, I))

    # Parameters from the fused layout into PyTorch's [out][in] weights.
    params = []
    at = 0

    def take(n: int) -> np.ndarray:
        nonlocal at
        block = flat[at : at + n]
        at += n
        return block

    prev = I
    for l, H in enumerate(widths):
        if l == 0:
            W = take(I * H).reshape(I, H).T  # stored input-major
        else:
            W = take(H * prev).reshape(H, prev)
        b = take(H)
        params += [W, b]
        prev = H
    params += [take(K * prev).reshape(K, prev), take(K)]
    assert at == flat.size, f"parameters: read {at} of {flat.size}"
    params = [torch.nn.Parameter(torch.tensor(np.ascontiguousarray(p), dtype=torch.float32)) for p in params]

    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[cfg["activation"]]

    def forward(x: torch.Tensor) -> torch.Tensor:
        h = x
        for l in range(len(widths)):
            h = act(h @ params[2 * l].T + params[2 * l + 1])
        return h @ params[-2].T + params[-1]

    opt = torch.optim.SGD(
        params,
        lr=cfg["lr"],
        momentum=cfg["momentum"],
        nesterov=cfg["nesterov"],
        weight_decay=cfg["weightDecay"],
    )
    m = cfg["batch"]
    per_epoch = cfg["trainCount"] / m  # steps per epoch (the tests choose m dividing the set)
    total = round(cfg["epochs"] * per_epoch)
    s = cfg["lrSchedule"]
    sched = []
    if s["kind"] == "step":
        sched.append(torch.optim.lr_scheduler.StepLR(opt, step_size=round(s["every"] * per_epoch), gamma=s["gamma"]))
    elif s["kind"] == "linear":
        sched.append(torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=s["to"], total_iters=total))
    elif s["kind"] == "cosine":
        sched.append(torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total, eta_min=cfg["lr"] * s["to"]))
    w = cfg["lrWarmup"]
    if w["epochs"] > 0:
        warm = torch.optim.lr_scheduler.LinearLR(
            opt, start_factor=w["startFactor"], end_factor=1.0, total_iters=round(w["epochs"] * per_epoch)
        )
        sched.insert(0, warm)
    scheduler = torch.optim.lr_scheduler.ChainedScheduler(sched) if len(sched) > 1 else (sched[0] if sched else None)

    for t in range(cfg["steps"]):
        idx = torch.from_numpy(order[t * m : (t + 1) * m])
        x, y = train[idx], labels[idx]
        z = forward(x)
        if cfg["loss"] == "mse":
            loss = F.mse_loss(torch.sigmoid(z), F.one_hot(y, K).to(torch.float32))  # mean over m·K
        else:
            loss = F.cross_entropy(z, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        if not math.isfinite(loss.item()):
            raise SystemExit(f"loss is {loss.item()} at step {t}: pick a stable learning rate")

    with torch.no_grad():
        z = forward(probe)
        tau = torch.sigmoid(z) if cfg["loss"] == "mse" else torch.softmax(z, dim=1)
    tau.numpy().astype(np.float32).tofile(os.path.join(bundle, "tau.f32"))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for bundle in sys.argv[1:]:
        main(bundle)
