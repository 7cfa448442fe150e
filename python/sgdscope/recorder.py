"""The recorder: writes a network ensemble's outputs on a probe set, snapshot by snapshot,
as a format-2 sgdscope run (docs/run-format.md), from as many processes at once as there
are networks."""
from __future__ import annotations

import atexit
import glob
import hashlib
import math
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from . import _zarr
from ._checks import as_array, check_finite, check_int, check_real, shape_text
from ._files import (
    create_exclusive,
    dumps,
    hostname,
    lock_owner_alive,
    read_json,
    read_json_or_none,
    short_lock,
    without_slots,
    write_json_atomic,
)
from .version import __version__

RUN_FORMAT = 2
PROJECT_FORMAT = 1
OUTPUTS = ("probabilities", "logits", "values")
# The metric names the app plots by name; errors are fractions in [0, 1].
APP_METRICS = ("train_loss", "train_error", "test_loss", "test_error")
RUN_ID = re.compile(r"^[A-Za-z0-9._-]+$")
MLP_LAYOUT = "A input-major [inputs][hidden], a [hidden], B [outputs][hidden], b [outputs]"
# How far probabilities may stray from [0, 1] and from summing to 1 (float32 round-off).
PROB_TOL = 1e-3


class RunMismatchError(ValueError):
    """The run already exists and was made with other settings (nets, probe set, outputs)."""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def labels_sha256(labels: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(labels, dtype="<i4").tobytes()).hexdigest()


def inputs_sha256(inputs: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(inputs, dtype="<f4").tobytes()).hexdigest()


def probe_pixels(x: Any) -> np.ndarray:
    """Probe inputs as the fingerprint defines them: uint8 images become uint8 / 255,
    computed in float64 and rounded to float32 (as the app does); anything else float32."""
    a = as_array(x, "probe_inputs")
    if a.dtype == np.uint8:
        return (a.astype(np.float64) / 255).astype(np.float32)
    check_finite(a, "probe_inputs")
    return a.astype(np.float32)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z.astype(np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def mlp_param_count(arch: Mapping) -> int:
    return arch["inputs"] * arch["hidden"] + arch["hidden"] + arch["outputs"] * arch["hidden"] + arch["outputs"]


def _check_architecture(arch: Any, classes: Optional[int], inputs: Optional[np.ndarray]) -> Dict[str, Any]:
    if not isinstance(arch, Mapping):
        raise TypeError(f"architecture must be a dict like {{'kind': 'mlp', 'inputs': 784, ...}}, got {arch!r}")
    a = dict(arch)
    if a.get("kind") != "mlp":
        raise ValueError(f"architecture['kind'] must be 'mlp' (the only family sgdscope can run), got {a.get('kind')!r}")
    for key in ("inputs", "hidden", "outputs"):
        a[key] = check_int(a.get(key), f"architecture['{key}']", 1)
    a.setdefault("activation", "sigmoid")
    a.setdefault("output", "softmax")
    if a["activation"] != "sigmoid":
        raise ValueError(f"architecture['activation'] must be 'sigmoid', got {a['activation']!r}")
    if a["output"] not in ("sigmoid", "softmax"):
        raise ValueError(f"architecture['output'] must be 'sigmoid' or 'softmax', got {a['output']!r}")
    if classes is not None and a["outputs"] != classes:
        raise ValueError(f"architecture['outputs']={a['outputs']} but classes={classes}")
    if inputs is not None and int(np.prod(inputs.shape[1:])) != a["inputs"]:
        raise ValueError(
            f"architecture['inputs']={a['inputs']} but each probe input has "
            f"{int(np.prod(inputs.shape[1:]))} values (probe_inputs shape {shape_text(inputs.shape)})"
        )
    return a


# Open recorders of this process, marked interrupted if the process ends without close().
_open: "weakref.WeakSet[Recorder]" = weakref.WeakSet()
_hooks_installed = False


def _at_exit() -> None:
    for r in list(_open):
        r._interrupt()


def _install_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_at_exit)
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread; atexit still applies
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_IGN:
        return

    def on_sigterm(signum: int, frame: Any) -> None:
        if not any(r._pid == os.getpid() for r in _open):
            # Nothing of ours to mark (e.g. a forked worker): behave as if never installed.
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
            if callable(previous):
                previous(signum, frame)
            else:
                os.kill(os.getpid(), signum)
            return
        if callable(previous):
            for r in list(_open):
                r._interrupt()
            previous(signum, frame)
        else:
            # Unwind like Ctrl-C does: `with` blocks and atexit mark the runs interrupted.
            raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_sigterm)


class Recorder:
    """Records networks' outputs on a fixed probe set into run `run` of a project.

    Several processes may record different networks of one run at once (one per seed);
    each snapshot is written atomically and marked done last. Use as a context manager,
    or call close(): a run left without close() (exception, SIGTERM, Ctrl-C, exit) is
    marked interrupted.
    """

    def __init__(
        self,
        project: "str | os.PathLike[str]",
        *,
        run: str,
        nets: int,
        probe_labels: Any = None,
        outputs: str = "probabilities",
        classes: Optional[int] = None,
        meta: Optional[Mapping[str, Any]] = None,
        probe_inputs: Any = None,
        metrics: Optional[Sequence[str]] = None,
        architecture: Optional[Mapping[str, Any]] = None,
        probe_id: Optional[str] = None,
        probe: Optional[int] = None,
        output_dim: Optional[int] = None,
    ) -> None:
        self._pid = os.getpid()
        self._closed = True  # until the run is open
        if not isinstance(project, (str, os.PathLike)):
            raise TypeError(f"project must be a folder path, got {type(project).__name__}")
        if not isinstance(run, str) or not RUN_ID.match(run) or run.startswith("."):
            raise ValueError(
                f"run={run!r} is not a valid run name: use letters, digits, '.', '_' and '-' (not starting with '.')"
            )
        self.nets = check_int(nets, "nets", 1)
        if outputs not in OUTPUTS:
            raise ValueError(f"outputs={outputs!r} must be one of {', '.join(OUTPUTS)}")
        self.outputs = outputs
        if outputs == "values":
            if classes is not None:
                raise ValueError(
                    "classes must be None when outputs='values' (regression outputs have no classes); "
                    "give output_dim= for the number of values per probe item"
                )
            self.classes = None
            dim = 1 if output_dim is None else check_int(output_dim, "output_dim", 1)
        else:
            if classes is None:
                raise ValueError(f"classes is required when outputs={outputs!r} (the number of classes)")
            self.classes = check_int(classes, "classes", 2)
            if output_dim is not None and output_dim != self.classes:
                raise ValueError(f"output_dim={output_dim} differs from classes={self.classes}")
            dim = self.classes

        inputs = probe_pixels(probe_inputs) if probe_inputs is not None else None
        if inputs is not None and inputs.ndim < 2:
            raise ValueError(
                f"probe_inputs must be [probe, ...] (one row per probe item), got shape {shape_text(inputs.shape)}"
            )
        labels = self._check_labels(probe_labels, probe, inputs)
        self.probe_size = int(labels.shape[0])
        if self.probe_size < 1:
            raise ValueError("the probe set is empty (probe_labels has length 0)")
        if inputs is not None and inputs.shape[0] != self.probe_size:
            raise ValueError(
                f"probe_inputs has {inputs.shape[0]} rows (shape {shape_text(inputs.shape)}) but probe_labels "
                f"has {self.probe_size}: expected probe_inputs of shape [{self.probe_size}, ...]"
            )
        self.point_shape = [self.probe_size, dim]
        self.columns = self._check_metric_names(metrics)
        self._explicit_metrics = metrics is not None
        self.architecture = _check_architecture(architecture, self.classes, inputs) if architecture is not None else None
        if meta is None:
            meta = {}
        if not isinstance(meta, Mapping) or not all(isinstance(k, str) for k in meta):
            raise TypeError(f"meta must be a dict with string keys, got {type(meta).__name__}")
        try:
            dumps(dict(meta))
        except (TypeError, ValueError) as e:
            raise ValueError(f"meta must be JSON-serializable (finite numbers, strings, lists, dicts): {e}") from e
        self.meta = dict(meta)
        if probe_id is not None and not isinstance(probe_id, str):
            raise TypeError(f"probe_id must be a string like 'mnist:test[0:1000]', got {probe_id!r}")

        self.run_id = run
        self.project_dir = os.path.abspath(os.fspath(project))
        self.run_dir = os.path.join(self.project_dir, "runs", run)
        self._snap_lock = os.path.join(self.run_dir, "snapshots.lock")
        self._lock_file = os.path.join(
            self.run_dir, f"lock-recorder-{re.sub(r'[^A-Za-z0-9.-]', '_', hostname())}-{self._pid}.json"
        )
        self._lock_info = {"pid": self._pid, "host": hostname(), "started": now_iso(), "nets": []}
        self._probe = {"size": self.probe_size, "labelsSha256": labels_sha256(labels)}
        if inputs is not None:
            self._probe["inputsSha256"] = inputs_sha256(inputs)
        if probe_id is not None:
            self._probe["id"] = probe_id
        self._epochs: List[float] = []
        self._index: Dict[float, int] = {}
        self._param_count: Optional[int] = mlp_param_count(self.architecture) if self.architecture else None
        self._started = time.monotonic()
        self.snapshots_written = 0

        _ensure_project(self.project_dir)
        self._open_or_create(labels, inputs)
        self._closed = False
        _open.add(self)
        _install_hooks()

    # ---- checks ---------------------------------------------------------------------------

    def _check_labels(self, probe_labels: Any, probe: Optional[int], inputs: Optional[np.ndarray]) -> np.ndarray:
        if probe_labels is None:
            if self.outputs != "values":
                raise ValueError(
                    f"probe_labels is required when outputs={self.outputs!r}: the class of each probe item "
                    f"(an integer array of shape [probe]; -1 where unknown)"
                )
            n = probe if probe is not None else (inputs.shape[0] if inputs is not None else None)
            if n is None:
                raise ValueError("give probe_labels, probe_inputs or probe= (the number of probe items)")
            return np.full(check_int(n, "probe", 1), -1, dtype=np.int32)
        y = as_array(probe_labels, "probe_labels")
        if y.ndim != 1:
            raise ValueError(f"probe_labels must be 1-D [probe], got shape {shape_text(y.shape)}")
        if y.dtype.kind == "f":
            check_finite(y, "probe_labels")
            if not np.all(y == np.round(y)):
                raise ValueError("probe_labels must be integers (class indices), got fractional values")
        y = y.astype(np.int64)
        if probe is not None and check_int(probe, "probe", 1) != y.shape[0]:
            raise ValueError(f"probe={probe} but probe_labels has shape {shape_text(y.shape)}")
        high = (self.classes - 1) if self.classes is not None else np.iinfo(np.int32).max
        bad = (y < -1) | (y > high)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"probe_labels[{i}]={int(y[i])} is not a class: expected 0..{high} (or -1 where unknown)"
            )
        return y.astype(np.int32)

    @staticmethod
    def _check_metric_names(metrics: Optional[Sequence[str]]) -> List[str]:
        if metrics is None:
            return list(APP_METRICS)
        if isinstance(metrics, str) or not all(isinstance(m, str) and m for m in metrics):
            raise TypeError(f"metrics must be a list of metric names, got {metrics!r}")
        names = list(metrics)
        if len(set(names)) != len(names):
            raise ValueError(f"metrics has repeated names: {names}")
        return names

    def _check_outputs(self, outputs: Any) -> np.ndarray:
        a = as_array(outputs, "outputs")
        want = self.point_shape
        if self.outputs == "values" and want[1] == 1 and a.shape == (want[0],):
            a = a.reshape(want)
        if list(a.shape) != want:
            what = {"values": "[probe, output_dim]", "logits": "[probe, classes]", "probabilities": "[probe, classes]"}
            raise ValueError(
                f"outputs has shape {shape_text(a.shape)}, expected {shape_text(want)} "
                f"({what[self.outputs]}: one row per probe item)"
            )
        check_finite(a, "outputs")
        if self.outputs == "logits":
            return softmax(a)
        if self.outputs == "probabilities":
            lo, hi = float(a.min()), float(a.max())
            if lo < -PROB_TOL or hi > 1 + PROB_TOL:
                raise ValueError(
                    f"outputs='probabilities' but outputs has values in [{lo:.4g}, {hi:.4g}], outside [0, 1]; "
                    f"pass outputs='logits' to the Recorder for unnormalised scores"
                )
            sums = a.astype(np.float64).sum(axis=1)
            off = np.abs(sums - 1)
            if off.max() > PROB_TOL:
                i = int(np.argmax(off))
                raise ValueError(
                    f"outputs='probabilities' but row {i} of outputs sums to {sums[i]:.6g}, not 1; "
                    f"pass outputs='logits' for unnormalised scores"
                )
        return a.astype(np.float32)

    def _check_metrics(self, metrics: Any) -> np.ndarray:
        row = np.full(len(self.columns), np.nan, dtype=np.float32)
        if metrics is None:
            return row
        if not isinstance(metrics, Mapping):
            raise TypeError(f"metrics must be a dict of name -> number, got {type(metrics).__name__}")
        for name, value in metrics.items():
            if name not in self.columns:
                raise ValueError(
                    f"metrics[{name!r}]: unknown metric for run {self.run_id}; its metrics are "
                    f"{self.columns} (pass metrics=[...] to the Recorder that creates the run to choose them)"
                )
            row[self.columns.index(name)] = check_real(value, f"metrics[{name!r}]")
        return row

    def _check_weights(self, weights: Any) -> np.ndarray:
        w = as_array(weights, "weights")
        if w.ndim != 1:
            raise ValueError(
                f"weights must be a flat vector [params], got shape {shape_text(w.shape)} "
                f"(e.g. np.concatenate([p.ravel() for p in params]))"
            )
        if self._param_count is not None and w.shape[0] != self._param_count:
            raise ValueError(f"weights has shape {shape_text(w.shape)}, expected [{self._param_count}] (paramCount)")
        if w.shape[0] == 0:
            raise ValueError("weights is empty")
        check_finite(w, "weights")
        return w.astype(np.float32)

    # ---- the run on disk ------------------------------------------------------------------

    def _array(self, name: str) -> str:
        return os.path.join(self.run_dir, name)

    def _group(self) -> Dict[str, Any]:
        return read_json(os.path.join(self.run_dir, "zarr.json"))

    def _update_group(self, patch: Dict[str, Any]) -> Dict[str, Any]:
        """Changes only the keys in patch, re-reading the group first; callers hold the short lock."""
        path = os.path.join(self.run_dir, "zarr.json")
        g = read_json(path)
        g["attributes"].update(patch)
        g["attributes"]["updated"] = now_iso()
        write_json_atomic(path, g)
        return g["attributes"]

    def _spec(self) -> Dict[str, Any]:
        return {
            "kind": "external",
            "name": self.run_id,
            "source": "python",
            "nets": self.nets,
            "classes": self.classes,
            "outputs": self.outputs,
            "probe": self.probe_size,
            "meta": self.meta,
        }

    def _versions(self) -> Dict[str, str]:
        v = {"sgdscope": __version__, "python": sys.version.split()[0], "numpy": np.__version__}
        for mod in ("torch", "jax", "tensorflow"):
            m = sys.modules.get(mod)
            if m is not None and isinstance(getattr(m, "__version__", None), str):
                v[mod] = m.__version__
        return v

    def _build(self, d: str, labels: np.ndarray, inputs: Optional[np.ndarray]) -> None:
        """Writes the complete empty run (snapshots: 0) into folder d."""
        n, ps = self.nets, self.point_shape
        tau_attrs = {"transform": "softmax"} if self.outputs == "logits" else {}
        metas = {
            "tau": _zarr.array_meta([n, 0, *ps], [1, 1, *ps], "float32", 0, ["net", "snapshot", "probe", "output"], tau_attrs),
            # A zero-length chunk is not allowed: with no metrics the empty array has chunks of one.
            "metrics": _zarr.array_meta(
                [n, 0, len(self.columns)], [1, 1, max(len(self.columns), 1)], "float32", math.nan,
                ["net", "snapshot", "metric"], {"columns": self.columns},
            ),
            "done": _zarr.array_meta([n, 0], [1, 1], "uint8", 0, ["net", "snapshot"]),
            "epoch": _zarr.array_meta([0], [1], "float64", 0, ["snapshot"]),
            "samples": _zarr.array_meta([0], [1], "float64", 0, ["snapshot"]),
            "state": _zarr.array_meta([n, 1], [1, 1], "float32", math.nan, ["net", "state"]),
            "labels": _zarr.array_meta([ps[0]], [ps[0]], "int32", 0, ["probe"]),
        }
        if inputs is not None:
            dims = ["probe"] + [f"input{i}" for i in range(1, inputs.ndim)]
            metas["probe_inputs"] = _zarr.array_meta(inputs.shape, inputs.shape, "float32", 0, dims)
        if self._param_count is not None:
            metas["weights"] = self._weights_meta(0, self._param_count)
        for name, meta in metas.items():
            _zarr.write_meta(os.path.join(d, name), meta)
        _zarr.write_chunk(os.path.join(d, "labels"), [0], labels, "int32")
        if inputs is not None:
            _zarr.write_chunk(os.path.join(d, "probe_inputs"), [0] * inputs.ndim, inputs, "float32")
        write_json_atomic(os.path.join(d, os.path.basename(self._lock_file)), self._lock_info)
        t = now_iso()
        attrs: Dict[str, Any] = {
            "sgdscope": {"kind": "run", "format": RUN_FORMAT},
            "id": self.run_id,
            "spec": self._spec(),
            "status": "running",
            "created": t,
            "updated": t,
            "versions": self._versions(),
            "pointShape": ps,
            "nets": n,
            "snapshots": 0,
            "metrics": self.columns,
            "stateSize": 0,
            "trainSeconds": 0,
            "probe": self._probe,
        }
        if self._param_count is not None:
            attrs["paramCount"] = self._param_count
        # The group's metadata last: a folder without it is not yet a run.
        write_json_atomic(os.path.join(d, "zarr.json"), {"zarr_format": 3, "node_type": "group", "attributes": attrs})

    def _weights_meta(self, S: int, params: int) -> Dict[str, Any]:
        # Format 2 keeps snapshot j's weights at j (NaN where none were recorded).
        if self.architecture is not None:
            attrs: Dict[str, Any] = {"layout": MLP_LAYOUT, "architecture": self.architecture}
        else:
            attrs = {"layout": "flat"}
        return _zarr.array_meta([self.nets, S, params], [1, 1, params], "float32", math.nan, ["net", "snapshot", "param"], attrs)

    def _open_or_create(self, labels: np.ndarray, inputs: Optional[np.ndarray]) -> None:
        runs = os.path.join(self.project_dir, "runs")
        if not os.path.exists(os.path.join(self.run_dir, "zarr.json")):
            tmp = os.path.join(runs, f".{self.run_id}.creating-{self._pid}-{secrets.token_hex(4)}")
            try:
                self._build(tmp, labels, inputs)
                os.rename(tmp, self.run_dir)
                return
            except OSError:
                if not os.path.exists(os.path.join(self.run_dir, "zarr.json")):
                    raise
                # Another process created the run first: join it below.
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        self._join(inputs)

    def _join(self, inputs: Optional[np.ndarray]) -> None:
        where = f"run {self.run_id} in {self.project_dir}"
        g = read_json_or_none(os.path.join(self.run_dir, "zarr.json"))
        a = (g or {}).get("attributes") or {}
        if (a.get("sgdscope") or {}).get("kind") != "run":
            raise RunMismatchError(f"{self.run_dir} exists but is not an sgdscope run (its zarr.json is missing or foreign)")
        fmt = a["sgdscope"].get("format")
        if isinstance(fmt, int) and fmt > RUN_FORMAT:
            raise RunMismatchError(f"{where} has run format {fmt}, newer than this recorder's {RUN_FORMAT}: update sgdscope")
        spec = a.get("spec") or {}
        if spec.get("kind") != "external":
            raise RunMismatchError(
                f"{where} was trained by sgdscope itself (spec kind {spec.get('kind')!r}); record into another run"
            )
        mine = {"nets": self.nets, "pointShape": self.point_shape, "outputs": self.outputs,
                "probe labels (labelsSha256)": self._probe["labelsSha256"]}
        theirs = {"nets": a.get("nets"), "pointShape": a.get("pointShape"), "outputs": spec.get("outputs"),
                  "probe labels (labelsSha256)": (a.get("probe") or {}).get("labelsSha256")}
        for key in mine:
            if mine[key] != theirs[key]:
                raise RunMismatchError(f"{where} exists with {key} = {theirs[key]}, this recorder has {mine[key]}")
        theirs_in = (a.get("probe") or {}).get("inputsSha256")
        if "inputsSha256" in self._probe and theirs_in and theirs_in != self._probe["inputsSha256"]:
            raise RunMismatchError(f"{where} exists with other probe inputs (inputsSha256 differs)")
        cols = list(a.get("metrics") or [])
        if self._explicit_metrics and cols != self.columns:
            raise RunMismatchError(f"{where} exists with metrics {cols}, this recorder has {self.columns}")
        self.columns = cols
        if a.get("paramCount") is not None:
            if self._param_count is not None and self._param_count != a["paramCount"]:
                raise RunMismatchError(
                    f"{where} exists with paramCount {a['paramCount']}, this recorder's architecture has {self._param_count}"
                )
            self._param_count = int(a["paramCount"])
        write_json_atomic(self._lock_file, self._lock_info)
        with short_lock(self._snap_lock):
            self._update_group({"status": "running"})
            # Writers that died before recording anything leave nothing to resume.
            for path, info in self._other_locks():
                if info is not None and not lock_owner_alive(info) and not info.get("nets"):
                    os.unlink(path)

    def _other_locks(self) -> List[tuple]:
        out = []
        for path in glob.glob(os.path.join(self.run_dir, "lock*.json")):
            if os.path.abspath(path) != os.path.abspath(self._lock_file):
                out.append((path, read_json_or_none(path)))
        return out

    def _claim_net(self, k: int) -> None:
        """Announces that this process records network k (in its lock file). A dead writer's
        claim on k is taken over; a live writer's is an error."""
        with short_lock(self._snap_lock):
            for path, info in self._other_locks():
                if not isinstance(info, dict) or k not in (info.get("nets") or []):
                    continue
                if lock_owner_alive(info):
                    raise RuntimeError(
                        f"net {k} of run {self.run_id} is being recorded by process {info.get('pid')} on "
                        f"{info.get('host')} (lock file {path}); record each network from one process"
                    )
                rest = [n for n in info["nets"] if n != k]
                if rest:
                    write_json_atomic(path, {**info, "nets": rest})
                else:
                    os.unlink(path)
            self._lock_info["nets"] = sorted(set(self._lock_info["nets"]) | {k})
            write_json_atomic(self._lock_file, self._lock_info)

    def _set_axis(self, epochs: np.ndarray) -> None:
        self._epochs = [float(e) for e in epochs]
        self._index = {e: j for j, e in enumerate(self._epochs)}

    def _snapshot_index(self, epoch: float, samples: Optional[float]) -> int:
        """The index of epoch on the snapshot axis, appending it if it is new."""
        j = self._index.get(epoch)
        if j is not None:
            return j
        with short_lock(self._snap_lock):
            S = int(self._group()["attributes"]["snapshots"])
            self._set_axis(_zarr.read_array(self._array("epoch"), [S]))
            j = self._index.get(epoch)
            if j is not None:
                return j
            if S and epoch <= self._epochs[-1]:
                shown = self._epochs if S <= 8 else self._epochs[:3] + ["..."] + self._epochs[-3:]
                raise ValueError(
                    f"epoch={epoch:g} is not on run {self.run_id}'s snapshot axis and comes before its last epoch "
                    f"{self._epochs[-1]:g} (epochs so far: {shown}); snapshots are added in increasing epoch "
                    f"order, so record every network at the same epochs"
                )
            old_samples = _zarr.read_array(self._array("samples"), [S])
            n = S + 1
            # Each 1-D chunk before its metadata: a reader never finds it shorter than described.
            for name, values in (
                ("epoch", np.append(self._epochs, epoch)),
                ("samples", np.append(old_samples, np.nan if samples is None else samples)),
            ):
                _zarr.write_chunk(self._array(name), [0], values, "float64")
                _zarr.write_meta(self._array(name), _zarr.array_meta([n], [n], "float64", 0, ["snapshot"]))
            for name in ("tau", "metrics", "done", "weights"):
                d = self._array(name)
                if not os.path.exists(os.path.join(d, "zarr.json")):
                    continue
                meta = _zarr.read_meta(d)
                meta["shape"][1] = n
                _zarr.write_meta(d, meta)
            self._update_group({"snapshots": n})
            self._set_axis(np.append(self._epochs, epoch))
            return S

    def _ensure_weights(self, params: int) -> None:
        """Creates the weights array at the first recorded weights (paramCount is known then)."""
        if self._param_count is not None and os.path.exists(os.path.join(self._array("weights"), "zarr.json")):
            return
        with short_lock(self._snap_lock):
            a = self._group()["attributes"]
            if a.get("paramCount") is not None:
                self._param_count = int(a["paramCount"])
                if params != self._param_count:
                    raise ValueError(f"weights has shape [{params}], expected [{self._param_count}] (paramCount)")
                if os.path.exists(os.path.join(self._array("weights"), "zarr.json")):
                    return
            S = int(a["snapshots"])
            _zarr.write_meta(self._array("weights"), self._weights_meta(S, params))
            self._update_group({"paramCount": params})
            self._param_count = params

    # ---- public API -----------------------------------------------------------------------

    def snapshot(
        self,
        net: int,
        epoch: float,
        outputs: Any,
        metrics: Optional[Mapping[str, Any]] = None,
        weights: Any = None,
        samples: Optional[float] = None,
    ) -> int:
        """Records network `net`'s outputs on the probe set at `epoch` (and optionally its
        metrics, flat weight vector and samples seen). Returns the snapshot's index."""
        self._check_usable()
        k = check_int(net, "net", 0)
        if k >= self.nets:
            raise ValueError(f"net={k} is out of range: run {self.run_id} has nets={self.nets} (0..{self.nets - 1})")
        e = check_real(epoch, "epoch", 0.0)
        tau = self._check_outputs(outputs)
        row = self._check_metrics(metrics)
        w = self._check_weights(weights) if weights is not None else None
        s = check_real(samples, "samples", 0.0) if samples is not None else None
        if w is not None:
            self._ensure_weights(int(w.shape[0]))
        if k not in self._lock_info["nets"]:
            self._claim_net(k)
        j = self._snapshot_index(e, s)
        done = _zarr.chunk_path(self._array("done"), [k, j])
        if os.path.exists(done):
            raise ValueError(
                f"net {k} of run {self.run_id} already has a snapshot at epoch {e:g} (snapshot {j}); "
                f"each (net, epoch) is recorded once"
            )
        # Data first, the done mark last: a reader never sees a half-written snapshot as done.
        _zarr.write_chunk(self._array("tau"), [k, j, 0, 0], tau, "float32")
        if len(self.columns):
            _zarr.write_chunk(self._array("metrics"), [k, j, 0], row, "float32")
        if w is not None:
            _zarr.write_chunk(self._array("weights"), [k, j, 0], w, "float32")
        _zarr.write_chunk(self._array("done"), [k, j], np.ones(1, np.uint8), "uint8")
        self.snapshots_written += 1
        return j

    def _check_usable(self) -> None:
        if os.getpid() != self._pid:
            raise RuntimeError(
                f"this Recorder was created in process {self._pid}; create one Recorder in each process "
                f"(e.g. inside each worker) instead of sharing it across a fork"
            )
        if self._closed:
            raise RuntimeError(f"the Recorder of run {self.run_id} is closed")

    def _finish(self, status: Optional[str]) -> None:
        """Removes this writer's lock and sets the run's status: `interrupted`, or (status None)
        `complete` if no other writer is alive and none died."""
        self._closed = True
        _open.discard(self)
        with short_lock(self._snap_lock, timeout=30.0):
            try:
                os.unlink(self._lock_file)
            except FileNotFoundError:
                pass
            a = self._group()["attributes"]
            if status is None:
                others = [info for _, info in self._other_locks() if isinstance(info, dict)]
                if any(lock_owner_alive(i) for i in others):
                    status = a.get("status", "running")
                elif others or a.get("status") == "interrupted":
                    status = "interrupted"
                else:
                    status = "complete"
            seconds = float(a.get("trainSeconds") or 0) + (time.monotonic() - self._started)
            self._update_group({"status": status, "trainSeconds": round(seconds, 3)})

    def close(self) -> None:
        """Ends this process's recording: the run is `complete` once every writer has closed."""
        if self._closed:
            return
        self._check_usable()
        self._finish(None)

    def _interrupt(self) -> None:
        if self._closed or os.getpid() != self._pid:
            return
        try:
            with without_slots():
                self._finish("interrupted")
        except Exception:
            # Best effort at exit: a lock file left behind with a dead pid says the same.
            pass

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self._interrupt()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<sgdscope.Recorder run={self.run_id!r} nets={self.nets} snapshots={len(self._epochs)} {state}>"


def _ensure_project(project_dir: str) -> None:
    """Creates the project folder if missing (as the engine does: claim, write, release)."""
    pj = os.path.join(project_dir, "project.json")
    os.makedirs(os.path.join(project_dir, "runs"), exist_ok=True)
    claim = os.path.join(project_dir, "project.json.creating")
    deadline = time.monotonic() + 10.0
    while not os.path.exists(pj):
        if create_exclusive(claim, os.getpid()):
            try:
                if not os.path.exists(pj):
                    name = os.path.basename(project_dir.rstrip(os.sep))
                    name = name[: -len(".sgdscope")] if name.endswith(".sgdscope") else name
                    write_json_atomic(pj, {
                        "sgdscope": {"kind": "project", "format": PROJECT_FORMAT},
                        "name": name,
                        "created": now_iso(),
                        "runs": [],
                        "views": [],
                        "comparisons": [],
                        "styles": {},
                    })
            finally:
                os.unlink(claim)
            break
        if time.monotonic() > deadline:
            # A creator killed between its claim and project.json leaves a stale claim.
            try:
                os.unlink(claim)
            except FileNotFoundError:
                pass
        time.sleep(0.05)
    p = read_json_or_none(pj)
    if not isinstance(p, dict) or (p.get("sgdscope") or {}).get("kind") != "project":
        raise ValueError(f"{project_dir} holds a project.json that is not an sgdscope project")
    fmt = p["sgdscope"].get("format")
    if isinstance(fmt, int) and fmt > PROJECT_FORMAT:
        raise ValueError(f"{project_dir} was written by a newer sgdscope (project format {fmt}); update sgdscope")
