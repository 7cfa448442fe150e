"""Reading runs as NumPy arrays: runs trained by sgdscope's engines (format 1, 3 with
`done` and `metrics` in one chunk each, and 4 with τ in one shard per network) and runs
recorded outside it (format 2), including runs still being recorded."""
from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import numpy as np

from . import _zarr
from ._files import lock_owner_alive, read_json_or_none

READ_FORMAT = 4
_LOCK = re.compile(r"^lock.*\.json$")


class RunFormatError(ValueError):
    """A folder that is not a readable sgdscope run or project."""


def _group_attrs(run_dir: str) -> Dict[str, Any]:
    meta = os.path.join(run_dir, "zarr.json")
    if not os.path.exists(meta):
        raise RunFormatError(f"{run_dir} is not a run: {meta} is missing")
    g = read_json_or_none(meta)
    a = (g or {}).get("attributes") if isinstance(g, dict) else None
    if not isinstance(a, dict) or (a.get("sgdscope") or {}).get("kind") != "run":
        raise RunFormatError(f"{meta} is not an sgdscope run (no \"sgdscope.kind\": \"run\" attribute)")
    fmt = a["sgdscope"].get("format")
    if not isinstance(fmt, int):
        raise RunFormatError(f"{meta}: sgdscope.format is missing")
    if fmt > READ_FORMAT:
        raise RunFormatError(
            f"{run_dir} was written by a newer sgdscope (run format {fmt}, this version reads up to "
            f"{READ_FORMAT}); update sgdscope (pip install -U ./python) to open it"
        )
    for key in ("nets", "snapshots", "pointShape", "metrics", "status"):
        if key not in a:
            raise RunFormatError(f"{meta} has malformed run attributes: {key} is missing")
    return a


def live_locks(run_dir: str) -> List[str]:
    """Lock files of the run whose writer is alive (engine trainers, shards, recorders)."""
    live = []
    for path in sorted(glob.glob(os.path.join(run_dir, "lock*.json"))):
        if _LOCK.match(os.path.basename(path)) and lock_owner_alive(read_json_or_none(path)):
            live.append(os.path.basename(path))
    return live


def live_status(run_dir: str, attrs: Dict[str, Any], done: np.ndarray) -> str:
    """The status a reader should believe: a `running` (or `interrupted`) run with a live
    writer is running, without one it was interrupted; an engine run whose every snapshot
    is recorded is complete."""
    s = attrs["status"]
    if s in ("complete", "failed", "created"):
        return s
    if live_locks(run_dir):
        return "running"
    if attrs["sgdscope"]["format"] in (1, 3, 4) and done.size and bool(done.all()):
        return "complete"
    return "interrupted"


class Run:
    """One run as NumPy arrays. Arrays cover the snapshots recorded when it was opened;
    `done[k, j]` says whether network k's snapshot j is recorded (τ is 0 and metrics NaN
    where it is not)."""

    def __init__(self, run_dir: str) -> None:
        self.path = os.path.abspath(run_dir)
        a = _group_attrs(self.path)
        self.attrs: Dict[str, Any] = a
        self.format: int = a["sgdscope"]["format"]
        self.id: str = a.get("id", os.path.basename(self.path))
        self.spec: Dict[str, Any] = a.get("spec") or {}
        self.kind: str = self.spec.get("kind", "?")
        self.meta: Dict[str, Any] = dict(self.spec.get("meta") or {})
        self.nets: int = int(a["nets"])
        self.snapshots: int = int(a["snapshots"])
        self.point_shape: List[int] = list(a["pointShape"])
        self.metric_names: List[str] = list(a["metrics"])
        self.probe: Optional[Dict[str, Any]] = a.get("probe")
        self.versions: Dict[str, str] = a.get("versions") or {}
        self.stored_status: str = a["status"]
        S = self.snapshots
        try:
            self.done: np.ndarray = _zarr.read_array(self._p("done"), [None, S]).astype(bool)
            self.epochs: np.ndarray = _zarr.read_array(self._p("epoch"), [S])
            self.samples: np.ndarray = _zarr.read_array(self._p("samples"), [S])
            m = _zarr.read_array(self._p("metrics"), [None, S, None])
        except (OSError, ValueError, KeyError) as e:
            raise RunFormatError(f"run {self.path} is damaged: {e}") from e
        for name, arr, want in (("done", self.done, [self.nets, S]), ("epoch", self.epochs, [S]),
                                ("metrics", m, [self.nets, S, len(self.metric_names)])):
            if list(arr.shape) != want:
                raise RunFormatError(f"run {self.path} is damaged: {name} has shape {list(arr.shape)}, expected {want}")
        self.metrics: Dict[str, np.ndarray] = {n: m[:, :, i] for i, n in enumerate(self.metric_names)}
        self.status: str = live_status(self.path, a, self.done)
        self._tau: Optional[np.ndarray] = None
        self._weights: Optional[np.ndarray] = None

    def _p(self, name: str) -> str:
        return os.path.join(self.path, name)

    def _has(self, name: str) -> bool:
        return os.path.exists(os.path.join(self.path, name, "zarr.json"))

    @property
    def outputs(self) -> str:
        """What τ holds: `probabilities` (engine and recorded class outputs; logits are stored
        after a softmax), `values` (regression outputs, or the stochastic model's vectors)."""
        if self.kind == "external":
            return "probabilities" if self.spec.get("outputs") in ("probabilities", "logits") else "values"
        return "values" if self.kind == "stochastic" else "probabilities"

    @property
    def tau(self) -> np.ndarray:
        """float32 [nets, snapshots, *pointShape]: the outputs on the probe set."""
        if self._tau is None:
            t = _zarr.read_array(self._p("tau"), [None, self.snapshots] + [None] * len(self.point_shape))
            want = [self.nets, self.snapshots, *self.point_shape]
            if list(t.shape) != want:
                raise RunFormatError(f"run {self.path} is damaged: tau has shape {list(t.shape)}, expected {want}")
            self._tau = t
        return self._tau

    @property
    def kappa(self) -> np.ndarray:
        """int [nets, snapshots, probe]: the argmax class of each probe item (κ)."""
        if self.outputs != "probabilities" or len(self.point_shape) != 2:
            why = ("the stochastic model's points are vectors" if self.kind == "stochastic"
                   else "its outputs are 'values' (regression), not classes")
            raise ValueError(f"κ (argmax class) is not defined for run {self.id}: {why}")
        return np.argmax(self.tau, axis=-1)

    @property
    def labels(self) -> Optional[np.ndarray]:
        """int32 [probe]: the probe set's labels (-1 where unknown); format 2 runs only."""
        return _zarr.read_array(self._p("labels")) if self._has("labels") else None

    @property
    def probe_inputs(self) -> Optional[np.ndarray]:
        return _zarr.read_array(self._p("probe_inputs")) if self._has("probe_inputs") else None

    @property
    def weight_snapshots(self) -> List[int]:
        """Snapshot indices with kept weights (format 2: those where some network recorded them)."""
        if not self._has("weights"):
            return []
        if self.format in (1, 3, 4):
            return list(self.attrs.get("weightSnapshots") or [])
        w = self.weights
        assert w is not None
        return [j for j in range(w.shape[1]) if np.isfinite(w[:, j, 0]).any()]

    @property
    def weights(self) -> Optional[np.ndarray]:
        """float32 [nets, kept, params] (format 1: kept = weight_snapshots; format 2: one slot per
        snapshot, NaN where not recorded), or None."""
        if not self._has("weights"):
            return None
        if self._weights is None:
            self._weights = _zarr.read_array(self._p("weights"), [None, self.snapshots if self.format == 2 else None, None])
        return self._weights

    @property
    def architecture(self) -> Optional[Dict[str, Any]]:
        if not self._has("weights"):
            return None
        arch = _zarr.read_meta(self._p("weights")).get("attributes", {}).get("architecture")
        if arch is None and self.kind == "mlp":
            ds = self.attrs.get("dataset") or {}
            return {"kind": "mlp", "inputs": ds.get("rows", 0) * ds.get("cols", 0), "hidden": self.spec.get("hidden"),
                    # runs older than these fields are the paper's sigmoid network
                    "outputs": self.point_shape[-1], "activation": self.spec.get("activation", "sigmoid"),
                    "output": "softmax" if self.spec.get("loss") == "cross-entropy" else "sigmoid"}
        return arch

    def __repr__(self) -> str:
        return (f"<sgdscope.Run {self.id!r} {self.kind} format {self.format}: {self.nets} nets × "
                f"{self.snapshots} snapshots × {self.point_shape}, {self.status}>")


@dataclass
class RunInfo:
    id: str
    name: Optional[str]
    kind: str
    status: str
    nets: int
    snapshots: int
    created: str
    format: int


def _project_dir(path: str) -> str:
    if not os.path.exists(os.path.join(path, "project.json")) and not os.path.isdir(os.path.join(path, "runs")):
        raise RunFormatError(f"{path} is not an sgdscope project (no project.json) nor a run (no zarr.json)")
    return path


def run_ids(project: "str | os.PathLike[str]") -> List[str]:
    """Every run of a project: those listed in project.json, then the others in runs/ (as the app lists them)."""
    p = _project_dir(os.path.abspath(os.fspath(project)))
    pj = read_json_or_none(os.path.join(p, "project.json")) or {}
    ids = [r["id"] for r in pj.get("runs", []) if isinstance(r, dict) and "id" in r]
    try:
        entries = sorted(os.listdir(os.path.join(p, "runs")))
    except FileNotFoundError:
        entries = []
    ids = [i for i in ids if i in entries]
    ids += [e for e in entries if e not in ids and not e.startswith(".")]
    return ids


def list_runs(project: "str | os.PathLike[str]") -> List[RunInfo]:
    """Summaries of a project's runs (status by the live-lock rule); unreadable runs are skipped."""
    p = os.path.abspath(os.fspath(project))
    out = []
    for rid in run_ids(p):
        try:
            r = Run(os.path.join(p, "runs", rid))
        except RunFormatError:
            continue
        out.append(RunInfo(r.id, r.spec.get("name"), r.kind, r.status, r.nets, r.snapshots,
                           r.attrs.get("created", ""), r.format))
    return out


def open_run(path_or_project: "str | os.PathLike[str]", run: "str | int | None" = None) -> Run:
    """A run, given its folder, or a project and the run's id (or a unique part of it, or its
    1-based index in the project's list); a project with one run needs no `run`."""
    p = os.path.abspath(os.fspath(path_or_project))
    if run is None and os.path.exists(os.path.join(p, "zarr.json")):
        return Run(p)
    ids = run_ids(p)
    if run is None:
        if len(ids) == 1:
            return Run(os.path.join(p, "runs", ids[0]))
        raise RunFormatError(f"{p} holds {len(ids)} runs; say which: open_run(project, run=ID) with ID one of {ids}")
    ref = str(run)
    if ref in ids:
        return Run(os.path.join(p, "runs", ref))
    if isinstance(run, int) or ref.isdigit():
        i = int(ref)
        if 1 <= i <= len(ids):
            return Run(os.path.join(p, "runs", ids[i - 1]))
    matches = [i for i in ids if ref in i]
    if len(matches) == 1:
        return Run(os.path.join(p, "runs", matches[0]))
    if not matches:
        raise RunFormatError(f"no run {ref!r} in {p} ({len(ids)} runs: {ids})")
    raise RunFormatError(f"{ref!r} matches {len(matches)} runs: {matches}")
