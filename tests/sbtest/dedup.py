"""The duplicate rule's reference for the tests: which articles are involved, by brute force."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from stancebank.tasks.dedup import Candidate, Sketch


def involved_by_brute_force(candidates: Sequence[Candidate], sketches: Sequence[Sketch]) -> set[int]:
    """The orders of the articles that share a bucket with another article: a band key (in the
    same band), the id or the clean text."""
    buckets: dict[tuple[str | int, object], set[int]] = defaultdict(set)
    for c, sk in zip(candidates, sketches, strict=True):
        buckets["id", c.article_id].add(c.order)
        buckets["text", c.text_sha256].add(c.order)
        for band, key in enumerate(sk.keys):
            buckets[band, key].add(c.order)
    return {order for members in buckets.values() if len(members) > 1 for order in members}
