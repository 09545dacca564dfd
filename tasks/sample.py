"""``tasks sample``: a deterministic, stratified sample of a built corpus (pure functions over
batches; the local engine and :mod:`stancebank.tasks.engine_ray` both call them).

Each task gets a **stratum** — its source, its publication month and, with a target catalogue,
the first catalogue target its text mentions (else ``(none)``) — and a **key**: a number drawn from
the sha256 of the seed and its ``article_id`` alone, so it depends on no order, batch or partition.
With ``weight="claims"`` the key is Efraimidis–Spirakis' ``-ln(u) / w`` with ``w`` = 1 + the
task's pre-annotated CLAIM regions, which favours articles with more claims.

The ``n`` articles are spread over the strata in proportion to their sizes (largest remainders,
ties by stratum name; no stratum gets more than it has), and each stratum gives its articles with
the smallest keys. The sample is written in corpus order.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stancebank.schema.project import Target
from stancebank.schema.spec import SPEC
from stancebank.schema.wire import split_results

LSTask = dict[str, Any]  # a task as read (schema.wire.read_task_list)

NONE = "(none)"
ANY = "(any)"
WEIGHTS = ("uniform", "claims")

Stratum = tuple[str, str, str]  # source, month, target


def _matchers(catalogue: Sequence[Target]) -> list[tuple[str, re.Pattern[str]]]:
    return [
        (
            t.name,
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in t.phrases) + r")(?!\w)", re.IGNORECASE),
        )
        for t in catalogue
    ]


@dataclass(frozen=True)
class Sampler:
    """The sampling rule's parameters (the same object on every worker)."""

    seed: int = 0
    weight: str = "uniform"
    catalogue: tuple[Target, ...] = ()

    def stratum(self, task: LSTask) -> Stratum:
        data = task["data"]
        source = str(data.get("source") or NONE)
        published = str(data.get("published") or "")
        month = published[:7] if re.fullmatch(r"\d{4}-\d{2}", published[:7]) else NONE
        if not self.catalogue:
            return source, month, ANY
        text = str(data.get("text") or "")
        found = [
            (m.start(), name) for name, pattern in _matchers(self.catalogue) if (m := pattern.search(text))
        ]
        return source, month, min(found)[1] if found else NONE

    def key(self, task: LSTask) -> float:
        digest = hashlib.sha256(f"{self.seed}:{task['data']['article_id']}".encode()).digest()
        u = (int.from_bytes(digest[:8], "big") + 1) / 2.0**64  # in (0, 1]
        if self.weight == "uniform":
            return u
        claim = SPEC.role_label("claim")
        claims = sum(
            1
            for prediction in task.get("predictions") or []
            if isinstance(prediction, dict) and isinstance(prediction.get("result"), list)
            for region in split_results(prediction["result"]).regions
            if claim in region.labels
        )
        return -math.log(u) / (1 + claims)


def allocate(sizes: Mapping[Stratum, int], n: int) -> dict[Stratum, int]:
    """``n`` spread over the strata in proportion to ``sizes`` (largest remainders; ties by
    stratum; capped at each stratum's size, the rest spread again)."""
    want = dict.fromkeys(sizes, 0)
    left = min(n, sum(sizes.values()))
    while left > 0:
        open_ = {s: sizes[s] - want[s] for s in sizes if sizes[s] > want[s]}
        total = sum(open_.values())
        shares = {s: left * size / total for s, size in open_.items()}
        given = {s: min(open_[s], math.floor(shares[s])) for s in open_}
        rest = left - sum(given.values())
        for s in sorted(open_, key=lambda s: (-(shares[s] - math.floor(shares[s])), s)):
            if rest == 0:
                break
            if given[s] < open_[s]:
                given[s] += 1
                rest -= 1
        for s, g in given.items():
            want[s] += g
        left -= sum(given.values())
    return want


def choose(keyed: Iterable[tuple[float, str]], k: int) -> list[tuple[float, str]]:
    """The ``k`` smallest (key, article id) of one stratum (ties by id)."""
    return sorted(keyed)[:k]


@dataclass(frozen=True)
class StratumReport:
    stratum: Stratum
    size: int
    sampled: int

    def to_json(self) -> dict[str, object]:
        source, month, target = self.stratum
        return {
            "source": source,
            "month": month,
            "target": target,
            "articles": self.size,
            "sampled": self.sampled,
        }


def strata_report(sizes: Mapping[Stratum, int], allocation: Mapping[Stratum, int]) -> list[StratumReport]:
    return [StratumReport(s, sizes[s], allocation.get(s, 0)) for s in sorted(sizes)]


def sample_tasks(
    tasks: Sequence[LSTask], n: int, sampler: Sampler
) -> tuple[list[LSTask], list[StratumReport]]:
    """The local engine: the sample in corpus order and the strata report."""
    strata = [sampler.stratum(t) for t in tasks]
    sizes = Counter(strata)
    allocation = allocate(sizes, n)
    members: dict[Stratum, list[tuple[float, str]]] = {}
    for task, s in zip(tasks, strata, strict=True):
        members.setdefault(s, []).append((sampler.key(task), task["data"]["article_id"]))
    chosen = {aid for s, keyed in members.items() for _, aid in choose(keyed, allocation[s])}
    return [t for t in tasks if t["data"]["article_id"] in chosen], strata_report(sizes, allocation)
