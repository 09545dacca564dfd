"""Fault injection for the crash tests: named checkpoints that can kill or pause the process.

Unset (always, outside the tests), every checkpoint is a dictionary lookup and nothing else.
``STANCEBANK_FAULT`` holds ``;``-separated rules ``NAME:ACTION[@N]``:

- ``kill`` — SIGKILL this process (no cleanup, no ``finally``: what a power cut or an OOM kill does);
- ``sleep=SECONDS`` — pause (used to force two concurrent runs into the same window).

``@N`` fires the rule at the N-th time the checkpoint is reached (default: the first). Example:
``STANCEBANK_FAULT="push:updated:kill@3"`` kills push after it updated its third task.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

FAULT_ENV = "STANCEBANK_FAULT"

_hits: Counter[str] = Counter()


def checkpoint(name: str) -> None:
    """Reached ``name``: apply the matching rule of ``$STANCEBANK_FAULT``, if any."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    _hits[name] += 1
    for rule in spec.split(";"):
        where, _, action = rule.strip().rpartition(":")
        if where != name:
            continue
        action, _, nth = action.partition("@")
        if nth and int(nth) != _hits[name]:
            continue
        if not nth and _hits[name] != 1:
            continue
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif action.startswith("sleep="):
            time.sleep(float(action.removeprefix("sleep=")))
