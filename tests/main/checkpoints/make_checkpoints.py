"""Checkpoint folders for the evaluate-checkpoints tests, made with PyTorch on the CPU.

Two architectures, each 2 networks x 3 checkpoints, trained a few SGD steps on MNIST
between checkpoints so that every checkpoint computes a different function:

  cnn/net{N}/epoch{E}.onnx   a small CNN, input [batch, 1, 28, 28] (dynamic batch axis),
                             nets 1 and 2, epochs 000, 0.5, 002 (zero-padded and decimal)
  mlp/net{N}_epoch{E}.onnx   an MLP, input [1, 784] (exported with a fixed batch of one),
                             nets 0 and 1, epochs 0, 1, 2

PyTorch's own outputs (logits) on the probe inputs (the first P MNIST test images,
pixels / 255 in float64 rounded to float32) are written as little-endian float32 files
listed in manifest.json, with the probe set itself as probe.npz (inputs [P, 1, 28, 28],
labels [P]) and as two .npy files.

usage: make_checkpoints.py OUT MNIST_DATA_DIR PROBE_SIZE
"""

import json
import os
import sys

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 5, stride=2),
        nn.ReLU(),
        nn.Conv2d(4, 8, 3, stride=2),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 5 * 5, 10),
    )


def mlp():
    return nn.Sequential(nn.Linear(784, 32), nn.Tanh(), nn.Linear(32, 10))


def main():
    out, data_dir, probe_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(1)
    to_float = lambda u8: (u8.astype(np.float64) / 255).astype(np.float32)
    probe = to_float(read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte"))[:probe_size])
    labels = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte"))[:probe_size].astype(np.int64)
    train_x = torch.from_numpy(to_float(read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"))[:2048]))
    train_y = torch.from_numpy(read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"))[:2048].astype(np.int64))

    os.makedirs(os.path.join(out, "expected"), exist_ok=True)
    np.savez(os.path.join(out, "probe.npz"), inputs=probe[:, None, :, :], labels=labels)
    np.save(os.path.join(out, "probe-inputs.npy"), probe.reshape(probe_size, 784))
    np.save(os.path.join(out, "probe-labels.npy"), labels)

    layouts = {
        "cnn": dict(make=cnn, shape=(1, 28, 28), nets=[1, 2], epochs=["000", "0.5", "002"],
                    name="net{net}/epoch{epoch}.onnx", fixed_batch=False),
        "mlp": dict(make=mlp, shape=(784,), nets=[0, 1], epochs=["0", "1", "2"],
                    name="net{net}_epoch{epoch}.onnx", fixed_batch=True),
    }
    manifest = {"probe": probe_size, "torch": torch.__version__, "layouts": {}}
    for kind, lay in layouts.items():
        entries = []
        for net in lay["nets"]:
            torch.manual_seed(1000 * len(kind) + net)
            model = lay["make"]()
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            for k, epoch in enumerate(lay["epochs"]):
                if k > 0:  # a few SGD steps between checkpoints
                    model.train()
                    for step in range(8):
                        i = torch.randint(0, train_x.shape[0], (64,))
                        x = train_x[i].reshape(64, *lay["shape"])
                        loss = nn.functional.cross_entropy(model(x), train_y[i])
                        opt.zero_grad()
                        loss.backward()
                        opt.step()
                model.eval()
                rel = lay["name"].format(net=net, epoch=epoch)
                path = os.path.join(out, kind, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                dummy = torch.zeros(1 if lay["fixed_batch"] else 2, *lay["shape"])
                axes = None if lay["fixed_batch"] else {"input": {0: "batch"}, "logits": {0: "batch"}}
                torch.onnx.export(model, dummy, path, input_names=["input"], output_names=["logits"],
                                  dynamic_axes=axes, dynamo=False)
                with torch.no_grad():
                    logits = model(torch.from_numpy(probe).reshape(probe_size, *lay["shape"])).numpy()
                expected = f"expected/{kind}-net{net}-epoch{epoch}.f32"
                logits.astype("<f4").tofile(os.path.join(out, expected))
                entries.append({"file": rel, "net": net, "epoch": float(epoch), "expected": expected,
                                "shape": list(logits.shape)})
        manifest["layouts"][kind] = entries
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    import warnings

    warnings.filterwarnings("ignore")  # the legacy exporter's deprecation notice
    main()
