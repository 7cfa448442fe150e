"""The small part of Zarr v3 that sgdscope runs use: regular chunk grids, the default
chunk key encoding with "/" (or "." for format 3's one-chunk arrays and format 4's shards), the
`bytes` codec (raw little-endian, no compression), and `sharding_indexed` with `bytes` inside
(format 4's τ: one shard per network, its index at the end).
That is what zarrita writes for the engine, so the arrays here are byte-for-byte alike."""
from __future__ import annotations

import itertools
import math
import os
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ._files import file_slot, read_json, write_atomic, write_json_atomic

DTYPES = {
    "float32": "<f4",
    "float64": "<f8",
    "uint8": "u1",
    "int8": "i1",
    "int32": "<i4",
    "uint32": "<u4",
    "int64": "<i8",
    "int16": "<i2",
    "uint16": "<u2",
}


class ZarrFormatError(ValueError):
    """An array that is not the plain Zarr v3 sgdscope runs use."""


def fill_json(value: float) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def array_meta(
    shape: Sequence[int],
    chunk: Sequence[int],
    dtype: str,
    fill: float,
    dims: Sequence[str],
    attributes: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    return {
        "zarr_format": 3,
        "node_type": "array",
        "shape": [int(s) for s in shape],
        "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [int(c) for c in chunk]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "fill_value": fill_json(fill),
        "dimension_names": list(dims),
        "attributes": attributes or {},
    }


def chunk_path(array_dir: str, index: Sequence[int], sep: str = "/") -> str:
    if sep == ".":  # format 3's consolidated arrays: c.0.0
        return os.path.join(array_dir, ".".join(["c", *[str(int(i)) for i in index]]))
    return os.path.join(array_dir, "c", *[str(int(i)) for i in index])


def write_meta(array_dir: str, meta: Dict[str, Any]) -> None:
    write_json_atomic(os.path.join(array_dir, "zarr.json"), meta)


def read_meta(array_dir: str) -> Dict[str, Any]:
    return read_json(os.path.join(array_dir, "zarr.json"))


def write_chunk(array_dir: str, index: Sequence[int], data: np.ndarray, dtype: str) -> None:
    write_atomic(chunk_path(array_dir, index), np.ascontiguousarray(data, dtype=DTYPES[dtype]).tobytes())


def _numpy_dtype(meta: Dict[str, Any], where: str, codecs: Optional[List[Dict[str, Any]]] = None) -> np.dtype:
    dt = meta.get("data_type")
    if dt not in DTYPES:
        raise ZarrFormatError(f"{where}: data type {dt!r} is not one sgdscope reads")
    endian = "<"
    for codec in meta.get("codecs", []) if codecs is None else codecs:
        if codec.get("name") == "bytes":
            endian = ">" if (codec.get("configuration") or {}).get("endian") == "big" else "<"
        else:
            raise ZarrFormatError(
                f"{where}: codec {codec.get('name')!r} is not supported (sgdscope runs use only 'bytes')"
            )
    return np.dtype(DTYPES[dt]).newbyteorder(endian) if np.dtype(DTYPES[dt]).itemsize > 1 else np.dtype(DTYPES[dt])


def _fill(meta: Dict[str, Any]) -> float:
    f = meta.get("fill_value", 0)
    if isinstance(f, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(f, 0.0)
    return f


_EMPTY = np.uint64(2**64 - 1)


def _sharding(meta: Dict[str, Any], where: str) -> Optional[Dict[str, Any]]:
    """The sharding_indexed configuration of an array (None when it is not sharded)."""
    codecs = meta.get("codecs", [])
    if not codecs or codecs[0].get("name") != "sharding_indexed":
        return None
    if len(codecs) != 1:
        raise ZarrFormatError(f"{where}: codecs after sharding_indexed are not supported")
    conf = codecs[0].get("configuration") or {}
    for c in conf.get("index_codecs", []):
        if c.get("name") != "bytes":
            raise ZarrFormatError(f"{where}: shard index codec {c.get('name')!r} is not supported")
    if conf.get("index_location", "end") not in ("start", "end"):
        raise ZarrFormatError(f"{where}: index_location {conf.get('index_location')!r} is not supported")
    return conf


def _read_shard(path: str, shard: Sequence[int], inner: Sequence[int], conf: Dict[str, Any], dtype: np.dtype,
                fill: float) -> Optional[np.ndarray]:
    """One shard as an array of the shard's shape (empty inner chunks hold the fill value)."""
    try:
        with file_slot(), open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    counts = [s // c for s, c in zip(shard, inner)]
    n = int(np.prod(counts))
    endian = ">" if any((c.get("configuration") or {}).get("endian") == "big" for c in conf.get("index_codecs", [])) else "<"
    if len(raw) < 16 * n:
        raise ZarrFormatError(f"{path} holds {len(raw)} bytes, less than its shard index ({16 * n})")
    at = 0 if conf.get("index_location", "end") == "start" else len(raw) - 16 * n
    index = np.frombuffer(raw, dtype=np.dtype("u8").newbyteorder(endian), count=2 * n, offset=at).reshape(n, 2)
    out = np.full(shard, fill, dtype=dtype.newbyteorder("="))
    want = int(np.prod(inner)) * dtype.itemsize
    for i, idx in enumerate(itertools.product(*[range(c) for c in counts])):
        off, length = index[i]
        if off == _EMPTY and length == _EMPTY:
            continue
        if int(length) != want or int(off) + want > len(raw):
            raise ZarrFormatError(f"{path}: inner chunk {list(idx)} has length {int(length)} at {int(off)}, expected {want}")
        block = np.frombuffer(raw, dtype=dtype, count=want // dtype.itemsize, offset=int(off)).reshape(inner)
        out[tuple(slice(k * c, (k + 1) * c) for k, c in zip(idx, inner))] = block
    return out


def read_array(array_dir: str, limit: Optional[Sequence[Optional[int]]] = None) -> np.ndarray:
    """The whole array (missing chunks hold the fill value). `limit` cuts axes to at most
    that many entries (None: the stored length), e.g. the snapshots the group says exist."""
    meta = read_meta(array_dir)
    where = array_dir
    if meta.get("node_type") != "array":
        raise ZarrFormatError(f"{where} is not a Zarr v3 array")
    grid = meta.get("chunk_grid", {})
    if grid.get("name") != "regular":
        raise ZarrFormatError(f"{where}: chunk grid {grid.get('name')!r} is not supported")
    enc = meta.get("chunk_key_encoding", {})
    sep = (enc.get("configuration") or {}).get("separator", "/")
    if enc.get("name") != "default" or sep not in ("/", "."):
        raise ZarrFormatError(f"{where}: chunk key encoding {enc} is not supported")
    sharding = _sharding(meta, where)
    dtype = _numpy_dtype(meta, where, sharding.get("codecs", []) if sharding is not None else None)
    shape: List[int] = [int(s) for s in meta["shape"]]
    chunk: List[int] = [int(c) for c in grid["configuration"]["chunk_shape"]]
    if sharding is not None:
        inner = [int(c) for c in sharding.get("chunk_shape", chunk)]
        if any(c % i for c, i in zip(chunk, inner)):
            raise ZarrFormatError(f"{where}: inner chunks {inner} do not divide the shards {chunk}")
    if limit is not None:
        shape = [s if lim is None else min(s, int(lim)) for s, lim in zip(shape, limit)]
    out = np.full(shape, _fill(meta), dtype=dtype.newbyteorder("="))
    if out.size == 0:
        return out
    counts = [math.ceil(s / c) for s, c in zip(shape, chunk)]
    want = int(np.prod(chunk)) if chunk else 1
    for idx in itertools.product(*[range(n) for n in counts]):
        if sharding is not None:
            block = _read_shard(chunk_path(array_dir, idx, sep), chunk, inner, sharding, dtype, _fill(meta))
            if block is None:
                continue
            sl_out = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, chunk, shape))
            out[sl_out] = block[tuple(slice(0, o.stop - o.start) for o in sl_out)]
            continue
        try:
            with file_slot(), open(chunk_path(array_dir, idx, sep) if idx else os.path.join(array_dir, "c"), "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            continue
        data = np.frombuffer(raw, dtype=dtype)
        if data.size != want:
            # A 1-D whole-array chunk (epoch, samples) is rewritten longer before its
            # zarr.json grows: its first entries are the ones the metadata describes.
            if len(chunk) == 1 and counts[0] == 1:
                data = np.concatenate([data[:want], np.full(max(0, want - data.size), _fill(meta), dtype)])
            else:
                raise ZarrFormatError(
                    f"{chunk_path(array_dir, idx)} holds {data.size} values, its array's chunks hold {want}"
                )
        block = data.reshape(chunk)
        sl_out = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, chunk, shape))
        sl_in = tuple(slice(0, o.stop - o.start) for o in sl_out)
        out[sl_out] = block[sl_in]
    return out
