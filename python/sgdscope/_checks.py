"""Argument checks with messages that name the argument, what it is, and what was expected."""
from __future__ import annotations

import numbers
from typing import Any, Optional, Sequence

import numpy as np


def shape_text(shape: Sequence[Any]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def as_array(x: Any, name: str, allow_bool: bool = False) -> np.ndarray:
    """x as a real-valued NumPy array, or a TypeError naming the argument."""
    if isinstance(x, np.ndarray):
        a = x
    else:
        try:
            a = np.asarray(x)
        except Exception as e:  # e.g. a torch tensor that requires grad or lives on a GPU
            raise TypeError(
                f"{name}: cannot turn a {type(x).__module__}.{type(x).__name__} into a NumPy array ({e}); "
                f"pass a NumPy array (for a torch tensor: t.detach().cpu().numpy())"
            ) from e
    if a.dtype == object:
        raise TypeError(
            f"{name} must hold numbers, got an array of Python objects of shape {shape_text(a.shape)} "
            f"(ragged nested lists, or None entries?)"
        )
    kinds = "biuf" if allow_bool else "iuf"
    if a.dtype.kind not in kinds:
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype} (shape {shape_text(a.shape)})")
    return a


def check_finite(a: np.ndarray, name: str) -> None:
    if a.dtype.kind != "f":
        return
    bad = ~np.isfinite(a)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} has {int(bad.sum())} NaN or infinite value(s) (first at {shape_text(first)}: "
            f"{a[first]}); a diverged network? Record only finite values"
        )


def check_int(v: Any, name: str, low: Optional[int] = None, high: Optional[int] = None) -> int:
    """An integer argument (Python or NumPy int, not bool) in [low, high]."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(v).__name__} {v!r}")
    i = int(v)
    if (low is not None and i < low) or (high is not None and i > high):
        rng = f"{low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name}={i} is out of range (expected {rng})")
    return i


def check_real(v: Any, name: str, low: Optional[float] = None) -> float:
    """A finite real scalar (Python or NumPy number, or a one-element array)."""
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got bool {v!r}")
    if isinstance(v, numbers.Real):
        f = float(v)
    else:
        a = as_array(v, name)
        if a.size != 1:
            raise ValueError(f"{name} must be a single number, got an array of shape {shape_text(a.shape)}")
        f = float(a.reshape(()))
    if not np.isfinite(f):
        raise ValueError(f"{name} must be finite, got {f}")
    if low is not None and f < low:
        raise ValueError(f"{name}={f} must be >= {low}")
    return f
