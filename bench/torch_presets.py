"""The presets beyond the paper trained in PyTorch: many seeds at once, each its own network.

Usage: python3 bench/torch_presets.py CONFIG.json   (written by bench/preset-errors.ts)

CONFIG holds the variants (hidden widths, activation, weight decay, loss, lr, batch 1, epochs,
nets, dataset files). Each variant trains `nets` networks of its own seeds side by side as one
batched program (weights [nets, out, in], torch.bmm): network n sees its own random order of
the training set, one sample per step, and its own torch7 initialisation U(±1/√fan-in) for
weights and biases; torch.optim.SGD (weight_decay as sgdscope's) on the sum of the networks'
losses, so each network gets exactly its own gradient. mse is sgdscope's: sigmoid outputs,
(1/K)·Σ(y − t)². Prints one JSON line per variant: the test error of every network.
"""

import json
import math
import sys
import time

import numpy as np
import torch


def main(path: str) -> None:
    torch.set_num_threads(1)  # small per-step products: threads only add overhead
    cfg = json.load(open(path))
    data = {}
    for v in cfg["variants"]:
        key = v["data"]
        if key not in data:
            d = cfg["datasets"][key]
            I = d["inputs"]
            data[key] = (
                torch.from_numpy(np.fromfile(d["train"], dtype=np.float32).reshape(-1, I)),
                torch.from_numpy(np.fromfile(d["trainLabels"], dtype=np.uint8).astype(np.int64)),
                torch.from_numpy(np.fromfile(d["test"], dtype=np.float32).reshape(-1, I)),
                torch.from_numpy(np.fromfile(d["testLabels"], dtype=np.uint8).astype(np.int64)),
            )
        train, labels, test, test_labels = data[key]
        N, I = train.shape
        K = 10
        M = cfg["nets"]
        g = torch.Generator().manual_seed(1000 + len(v["label"]))
        widths = [I] + v["hidden"] + [K]
        params = []
        for l in range(1, len(widths)):
            bound = 1 / math.sqrt(widths[l - 1])
            W = (torch.rand(M, widths[l], widths[l - 1], generator=g) * 2 - 1) * bound
            b = (torch.rand(M, 1, widths[l], generator=g) * 2 - 1) * bound
            params += [torch.nn.Parameter(W), torch.nn.Parameter(b)]
        act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[v["activation"]]

        def forward(x):  # x [M, m, I]
            h = x
            L = len(widths) - 1
            for l in range(L):
                z = torch.baddbmm(params[2 * l + 1], h, params[2 * l].transpose(1, 2))
                h = act(z) if l < L - 1 else z
            return h

        opt = torch.optim.SGD(params, lr=v["lr"], weight_decay=v["weightDecay"])
        steps = round(v["epochs"] * N)
        t0 = time.time()
        orders = torch.stack([torch.randperm(N, generator=g) for _ in range(M)])  # one epoch's order per network
        for s in range(steps):
            if s > 0 and s % N == 0:
                orders = torch.stack([torch.randperm(N, generator=g) for _ in range(M)])
            idx = orders[:, s % N]
            x = train[idx].unsqueeze(1)
            t = torch.nn.functional.one_hot(labels[idx], K).float().unsqueeze(1)
            y = torch.sigmoid(forward(x))
            loss = ((y - t) ** 2).mean(dim=2).sum()
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()
        with torch.no_grad():
            errors = []
            for c0 in range(0, test.shape[0], 2000):
                x = test[c0 : c0 + 2000].unsqueeze(0).expand(M, -1, -1)
                pred = forward(x).argmax(dim=2)
                errors.append((pred != test_labels[c0 : c0 + 2000]).sum(dim=1))
            err = (torch.stack(errors).sum(dim=0).float() / test.shape[0]).tolist()
        print(json.dumps({"label": v["label"], "errors": err, "seconds": time.time() - t0}), flush=True)
        print(f"  PyTorch {v['label']}: {time.time() - t0:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
