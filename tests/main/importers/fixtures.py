"""Import fixtures written by NumPy and h5py, with the numbers an import must produce.

usage: python3 fixtures.py OUT_DIR [--zip64]

Writes every format the importers read (np.savez, np.savez_compressed, .npy 1.0/2.0/3.0
in C and Fortran order and both byte orders, HDF5 with gzip, Zarr v2 by hand), a set of
malformed files, and expected_*.bin: the stored run's arrays (little-endian, C order)
computed here in NumPy, for the tests to compare against.
"""
import json
import os
import sys
import zlib

import h5py
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
p = lambda name: os.path.join(out, name)

NETS, S, P, C, K = 3, 4, 7, 5, 11
rng = np.random.default_rng(20261203)
logits = (rng.normal(size=(NETS, S, P, C)) * 3).astype(np.float32)
probs = np.exp(logits.astype(np.float64) - logits.max(axis=-1, keepdims=True))
probs /= probs.sum(axis=-1, keepdims=True)
values = rng.normal(size=(NETS, S, P))
epochs = np.array([0.0, 0.5, 1.0, 3.0])
labels = rng.integers(0, C, size=P)
labels[2] = -1
train_loss = rng.random((NETS, S))
test_error = rng.random((NETS, S)).astype(np.float32)
test_error[1, 2] = np.nan  # not recorded
weights = rng.normal(size=(NETS, S, K)).astype(np.float32)
pixels = rng.integers(0, 256, size=(P, 2, 3), dtype=np.uint8)
probe_inputs = (pixels.astype(np.float64) / 255).astype(np.float32)


def softmax32(x):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def expect(name, a, dtype):
    np.ascontiguousarray(a, dtype=np.dtype(dtype).newbyteorder("<")).tofile(p(f"expected_{name}.bin"))


expect("tau_logits", softmax32(logits), np.float32)
expect("tau_probs", probs.astype(np.float32), np.float32)
expect("tau_values", values.astype(np.float32)[..., None], np.float32)
expect("epochs", epochs, np.float64)
expect("labels", labels, np.int32)
expect("metrics_train_loss_test_error", np.stack([train_loss, test_error], axis=-1).astype(np.float32), np.float32)
expect("metrics_train_loss", train_loss.astype(np.float32)[..., None], np.float32)
expect("weights", weights, np.float32)
expect("probe_inputs", probe_inputs, np.float32)

# ---- Good files.
np.savez(
    p("savez.npz"),
    outputs=logits,
    epochs=epochs,
    labels=labels,
    metrics_train_loss=train_loss,
    **{"metrics/test_error": test_error},
    weights=weights,
    probe_inputs=probe_inputs,
    notes=np.arange(3),
)
np.savez_compressed(p("compressed.npz"), outputs=probs, epochs=epochs.astype(np.float32), labels=labels.astype(np.int16))
np.savez_compressed(p("values.npz"), outputs=values, epochs=epochs, labels=labels)

# A bare .npy: big-endian float64 in Fortran order, labels and epochs given apart.
np.save(p("bare.npy"), np.asfortranarray(logits.astype(">f8")))
np.save(p("labels.npy"), labels.astype(np.int32))
np.save(p("epochs.npy"), epochs)
for version in [(1, 0), (2, 0), (3, 0)]:
    with open(p(f"v{version[0]}.npy"), "wb") as f:
        np.lib.format.write_array(f, logits.astype(np.float16) if version == (3, 0) else logits, version=version)
expect("tau_logits_f16", softmax32(logits.astype(np.float16)), np.float32)

with h5py.File(p("run.h5"), "w") as f:
    f.create_dataset("outputs", data=logits.astype(np.float64), chunks=(1, 1, P, C), compression="gzip")
    f.create_dataset("epochs", data=epochs.astype(">f8"))
    f["labels"] = labels
    f["metrics/train_loss"] = train_loss
    f["metrics/test_error"] = test_error
    f["weights"] = weights
    f.attrs["model"] = "mlp"
with h5py.File(p("probs16.h5"), "w") as f:
    f["outputs"] = probs.astype(np.float16)
    f["epochs"] = epochs
    f["labels"] = labels
expect("tau_probs16", probs.astype(np.float16).astype(np.float32), np.float32)


def zarr_v2_array(path, a, chunks, compress):
    os.makedirs(path, exist_ok=True)
    meta = {
        "zarr_format": 2,
        "shape": list(a.shape),
        "chunks": list(chunks),
        "dtype": a.dtype.str,
        "compressor": {"id": "zlib", "level": 1} if compress else None,
        "fill_value": 0,
        "order": "C",
        "filters": None,
    }
    with open(os.path.join(path, ".zarray"), "w") as f:
        json.dump(meta, f)
    grid = [range(0, n, c) for n, c in zip(a.shape, chunks)]
    for start in np.ndindex(*[len(g) for g in grid]):
        sl = tuple(slice(i * c, (i + 1) * c) for i, c in zip(start, chunks))
        block = np.zeros(chunks, dtype=a.dtype)
        part = a[sl]
        block[tuple(slice(0, n) for n in part.shape)] = part
        raw = block.tobytes()
        with open(os.path.join(path, ".".join(map(str, start))), "wb") as f:
            f.write(zlib.compress(raw) if compress else raw)


def zarr_v2_group(path):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, ".zgroup"), "w") as f:
        json.dump({"zarr_format": 2}, f)


zarr_v2_group(p("v2.zarr"))
zarr_v2_array(p("v2.zarr/outputs"), logits, (1, 2, P, C), compress=False)
zarr_v2_array(p("v2.zarr/epochs"), epochs.astype(">f8"), (S,), compress=True)
zarr_v2_array(p("v2.zarr/labels"), labels.astype("<i8"), (P,), compress=True)
zarr_v2_group(p("v2.zarr/metrics"))
zarr_v2_array(p("v2.zarr/metrics/train_loss"), train_loss.astype("<f4"), (2, 2), compress=True)

# More than 65535 members: the zip64 end records (NumPy writes zip64 headers as well).
import zipfile

if "--zip64" in sys.argv:
    with zipfile.ZipFile(p("zip64.npz"), "w", allowZip64=True) as z:
        for name, a in [("outputs", probs), ("epochs", epochs), ("labels", labels)]:
            with z.open(f"{name}.npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(a))
        for i in range(65536):
            z.writestr(f"pad/{i}.txt", b"")

# ---- Malformed files.
good = open(p("savez.npz"), "rb").read()
open(p("truncated.npz"), "wb").write(good[: len(good) // 2])
np.savez(p("short_labels.npz"), outputs=logits, epochs=epochs, labels=labels[:-1])
np.savez(p("no_epochs.npz"), outputs=logits, labels=labels)
bad = logits.copy()
bad[1, 2, 3, 4] = np.nan
bad[2, 0, 0, 0] = np.inf
np.savez(p("nan.npz"), outputs=bad, epochs=epochs, labels=labels)
np.savez(p("strings.npz"), outputs=logits, epochs=epochs, labels=np.array(["cat"] * P))
np.savez(p("backwards.npz"), outputs=logits, epochs=epochs[::-1], labels=labels)
np.savez(p("bad_label.npz"), outputs=logits, epochs=epochs, labels=np.where(np.arange(P) == 4, 9, labels))
np.savez(p("bad_metric.npz"), outputs=logits, epochs=epochs, labels=labels, metrics_train_loss=train_loss[:, :3])
bad_crc = bytearray(good)
at = good.index(b"outputs.npy") + 200  # inside the stored member's data
bad_crc[at] ^= 0xFF
open(p("bad_crc.npz"), "wb").write(bytes(bad_crc))
npy = open(p("bare.npy"), "rb").read()
open(p("truncated.npy"), "wb").write(npy[: len(npy) - 100])
open(p("corrupt_header.npy"), "wb").write(npy[:10] + b"{'descr': '<f8', 'shape': oops}" + npy[41:])
h5 = open(p("run.h5"), "rb").read()
open(p("truncated.h5"), "wb").write(h5[:3000])
with h5py.File(p("no_labels.h5"), "w") as f:
    f["outputs"] = logits
    f["epochs"] = epochs
with h5py.File(p("wrong_outputs.h5"), "w") as f:
    f["outputs"] = logits[0]
    f["epochs"] = epochs
    f["labels"] = labels
with h5py.File(p("nan.h5"), "w") as f:
    f["outputs"] = bad
    f["epochs"] = epochs
    f["labels"] = labels
zarr_v2_group(p("corrupt_chunk.zarr"))
zarr_v2_array(p("corrupt_chunk.zarr/outputs"), logits, (1, S, P, C), compress=True)
zarr_v2_array(p("corrupt_chunk.zarr/epochs"), epochs, (S,), compress=False)
zarr_v2_array(p("corrupt_chunk.zarr/labels"), labels, (P,), compress=False)
with open(p("corrupt_chunk.zarr/outputs/1.0.0.0"), "wb") as f:
    f.write(b"this is not zlib data")
print(json.dumps({"nets": NETS, "snapshots": S, "probe": P, "classes": C, "params": K}))
