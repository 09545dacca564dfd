"""Train / validation / test splits per article: near-duplicates share one, sticky through a registry.

An article's split is, in this order:

1. its entry in the split registry (a JSON object ``article_id → split``, committed with the
   project): once released, an article never changes split;
2. else the split of its near-duplicate cluster (:func:`stancebank.schema.neardup.clusters` over
   every article of the exports, released or not, so a cluster is the same in later releases):
   the registered split of a member, or, when no member is registered, 80/10/10 from the SHA-256
   of the cluster's smallest article id (an article without near-duplicates: its own id).

Validation checks with the same rule that no cluster spans two splits. A cluster whose registered
members already sit in different splits (registered before this rule, or joined only now by a
new article) cannot place a new member: building a release that would release one is refused
with :class:`SplitConflictError`, naming the article, the members and their splits.

Where the registry is: :func:`registry_location` (``--registry FILE``, else the project file's
``registry``); there is no default, so building an export that is not the project's never writes
into the project's registry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

from stancebank.export.errors import ExportError
from stancebank.schema.errors import ExitCode, not_utf8
from stancebank.schema.model import Article
from stancebank.schema.neardup import clusters
from stancebank.schema.project import Project, pick
from stancebank.schema.spec import SPLITS


class RegistryLocationError(ExportError):
    """No split registry was named (no ``--registry`` and no ``registry`` in the project file)."""

    exit_code = ExitCode.USAGE


class SplitConflictError(ExportError):
    """A new article is a near-duplicate of registered articles that sit in different splits."""

    exit_code = ExitCode.DATA


def registry_location(flag: Path | None, project: Project | None) -> Path:
    """The split registry of this build: ``--registry FILE`` when given, else the project file's
    ``registry`` (relative to the project file). No default: a registry relative to the working
    directory once received 883 foreign ids from an unrelated export built in the repository."""
    chosen = pick(flag, project.registry if project is not None else None)
    if chosen is None:
        raise RegistryLocationError(
            "no split registry: pass --registry FILE (this repository's releases: "
            "--registry data/split_registry.json; a one-off export: a new file of its own) or set "
            "`registry` under [project] in stancebank.toml"
        )
    return Path(chosen)


def hash_split(article_id: str) -> str:
    bucket = int.from_bytes(hashlib.sha256(article_id.encode("utf-8")).digest()[:8], "big") % 10
    return SPLITS[0] if bucket < 8 else SPLITS[1] if bucket == 8 else SPLITS[2]


def load_registry(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ExportError(f"cannot read the split registry {not_utf8(path, err)}") from None
    except (OSError, json.JSONDecodeError) as err:
        raise ExportError(f"split registry {path}: cannot read ({err}); restore it from git") from err
    if not isinstance(raw, dict):
        raise ExportError(f"split registry {path}: expected a JSON object article_id → split")
    for article_id, split in raw.items():
        if split not in SPLITS:
            raise ExportError(
                f"split registry {path}: article {article_id!r} has split {split!r}; must be one of {SPLITS}"
            )
    return {str(k): str(v) for k, v in raw.items()}


class _Texts(Sequence[str]):
    """The texts of ``ids``, read from ``articles`` one at a time (they may be kept compressed)."""

    def __init__(self, ids: Sequence[str], articles: Mapping[str, Article]) -> None:
        self._ids, self._articles = ids, articles

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self._articles[a].text for a in self._ids[index]]
        return self._articles[self._ids[index]].text


@dataclass
class SplitPlan:
    """The split of every article of a build (see the module docstring); :meth:`split_for` adds
    each article it places to ``registry``."""

    registry: dict[str, str]
    cluster_of: dict[str, str] = field(default_factory=dict)  # article → its cluster's smallest id
    members: dict[str, list[str]] = field(default_factory=dict)  # cluster (2+ articles) → its ids

    @classmethod
    def for_articles(cls, articles: Mapping[str, Article], registry: Mapping[str, str]) -> SplitPlan:
        """Cluster every article of ``articles`` (a build's exports) by the near-duplicate rule."""
        ids = sorted(articles)
        roots = clusters(_Texts(ids, articles)).tolist()
        plan = cls(dict(registry))
        for position, root in enumerate(roots):
            if root != position:
                plan.cluster_of[ids[position]] = ids[root]
                plan.cluster_of[ids[root]] = ids[root]
        for article_id, root_id in plan.cluster_of.items():
            plan.members.setdefault(root_id, []).append(article_id)
        for group in plan.members.values():
            group.sort()
        return plan

    def split_for(self, article_id: str) -> str:
        split = self.registry.get(article_id)
        if split is not None:
            return split
        root = self.cluster_of.get(article_id)
        members = self.members.get(root, [article_id]) if root is not None else [article_id]
        registered = {m: self.registry[m] for m in members if m in self.registry}
        chosen = set(registered.values())
        if len(chosen) > 1:
            shown = ", ".join(f"{m} ({s})" for m, s in sorted(registered.items()))
            raise SplitConflictError(
                f"article {article_id!r} is a near-duplicate (stancebank.schema.neardup) of released "
                f"articles in different splits: {shown}. Splits are sticky, so it cannot join all of "
                "them: leave it out of the export (or, if those releases were never published, "
                "correct the registry)"
            )
        split = chosen.pop() if chosen else hash_split(members[0])
        self.registry[article_id] = split
        return split


def assign(
    article_ids: Iterable[str], articles: Mapping[str, Article], registry: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Splits of ``article_ids`` (clustered with every article of ``articles``) and the updated
    registry (old entries are never changed)."""
    plan = SplitPlan.for_articles(articles, registry)
    out = {article_id: plan.split_for(article_id) for article_id in article_ids}
    return out, plan.registry


def registry_bytes(registry: dict[str, str]) -> bytes:
    return (json.dumps(dict(sorted(registry.items())), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
