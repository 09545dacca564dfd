"""Ray, the optional distributed engine: imported only when asked for, started once.

Both stages that run on Ray (``tasks build|sample --engine ray``, ``export build --engine ray``)
import and start it here: an existing cluster at ``address`` (else ``RAY_ADDRESS``), else a local
one with ``num_cpus`` CPUs (default: all).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

INSTALL_HINT = (
    "--engine ray needs Ray: install the extra with `pip install 'stancebank[ray]'` "
    "(or `make setup`), or use --engine local"
)


def import_ray(error: type[Exception]) -> Any:
    """The ``ray`` module (with ``ray.data``), or ``error`` saying how to install it."""
    try:
        import ray
        import ray.data
    except ImportError as err:
        raise error(INSTALL_HINT) from err
    return ray


def start_ray(ray: Any, address: str | None = None, num_cpus: int | None = None) -> None:
    """Connect to ``address`` (else ``RAY_ADDRESS``) or start a local cluster, unless this process
    is connected already."""
    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False


def kill_once(marker: str | None) -> None:
    """A test of Ray's retries (the engines' ``RayOptions.kill_once``): when ``marker`` is given
    and no file is there, create it and kill this worker process (SIGKILL) — mid-run, as a crash
    would; Ray then runs the task again on another worker, which finds the file and goes on."""
    if marker is None or Path(marker).exists():
        return
    Path(marker).write_text(f"killed worker {os.getpid()}\n", encoding="utf-8")
    os.kill(os.getpid(), signal.SIGKILL)
