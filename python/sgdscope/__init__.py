"""sgdscope for Python: record your own networks' outputs on a probe set into an sgdscope
project (Recorder), and read any run back as NumPy arrays (open_run, list_runs).
NumPy is the only dependency."""
from ._files import LockTimeout
from .reader import Run, RunFormatError, RunInfo, list_runs, open_run
from .recorder import APP_METRICS, RunMismatchError, Recorder
from .version import __version__

__all__ = [
    "APP_METRICS",
    "LockTimeout",
    "Recorder",
    "Run",
    "RunFormatError",
    "RunInfo",
    "RunMismatchError",
    "list_runs",
    "open_run",
    "__version__",
]
