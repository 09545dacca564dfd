"""Ray, the optional distributed engine: imported only when asked for, started once.

Both stages that run on Ray (``tasks build|sample --engine ray``, ``export build --engine ray``)
import and start it here: an existing cluster at ``address`` (else ``RAY_ADDRESS``), else a local
one with ``num_cpus`` CPUs (default: all).
"""

from __future__ import annotations

import os
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
