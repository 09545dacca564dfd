"""What changed since the previous release: articles added, removed and changed; spans added,
removed and relabelled; stance flips (the card's "Changes" table and the manifest's ``changes``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datasets import Features

from stancebank.export.adjudicate import Adjudication
from stancebank.export.card import Changes
from stancebank.schema.features import ARTICLE_ID, DEFAULT_CONFIG, document_id_column
from stancebank.schema.layout import DATA_DIR, split_of
from stancebank.schema.spec import SPLITS, AnnotationSpec


def _read_documents(release_dir: Path, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The previous release's documents, a batch at a time, ClassLabels decoded with its own names."""
    shards = sorted((release_dir / DATA_DIR / DEFAULT_CONFIG).glob("*.parquet"))
    for path in [p for split in SPLITS for p in shards if split_of(p) == split]:
        pf = pq.ParquetFile(path)
        id_column = document_id_column(pf.schema_arrow.names)
        columns = [id_column if c == ARTICLE_ID else c for c in columns]
        features = Features.from_arrow_schema(pf.schema_arrow)
        span_names = features["spans"].feature["label"].names
        rel_names = features["relations"].feature["label"].names
        for batch in pf.iter_batches(columns=list(columns), batch_size=1_000):
            for row in batch.to_pylist():
                if id_column != ARTICLE_ID:
                    row[ARTICLE_ID] = row.pop(id_column)
                for s in row["spans"]:
                    s["label"] = span_names[s["label"]]
                for r in row["relations"]:
                    r["label"] = rel_names[r["label"]]
                yield row


SpanPos = tuple[int, int]
DocView = tuple[dict[SpanPos, str], dict[tuple[SpanPos, SpanPos], str]]


def _doc_view(
    spans: Iterable[tuple[str, int, int, str]], relations: Iterable[tuple[str, str, str]], stances: set[str]
) -> DocView:
    """What "changed" compares: span label by offsets, stance by (claim, target) offsets."""
    by_id: dict[str, SpanPos] = {}
    labels: dict[SpanPos, str] = {}
    for sid, start, end, label in spans:
        by_id[sid] = (start, end)
        labels[(start, end)] = label
    stance = {
        (by_id[a], by_id[b]): label
        for a, b, label in relations
        if label in stances and a in by_id and b in by_id
    }
    return labels, stance


def _view_digest(text: str, view: DocView) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(text.encode("utf-8", "surrogatepass"))
    digest.update(repr((sorted(view[0].items()), sorted(view[1].items()))).encode())
    return digest.digest()


def _row_view(row: dict[str, Any], stances: set[str]) -> DocView:
    return _doc_view(
        ((s["id"], s["start"], s["end"], s["label"]) for s in row["spans"]),
        ((r["from_id"], r["to_id"], r["label"]) for r in row["relations"]),
        stances,
    )


class ChangeTracker:
    """Changes since the previous release, computed from small per-article digests.

    The previous release's documents are streamed once into ``article id → digest`` (16 bytes of
    BLAKE2b over the text, span labels by offsets and stances by span offsets). Each new gold
    article is compared by digest as it is written; only the *changed* ones keep their span/stance
    view, and a second stream over the previous documents counts their span and stance changes.
    Memory: one digest per previous article plus the views of changed articles.
    """

    def __init__(self, previous_dir: Path, previous_version: str, spec: AnnotationSpec) -> None:
        self.previous_dir = previous_dir
        self.stances = set(spec.stance_names)
        self.changes = Changes(previous_version=previous_version)
        self._previous: dict[str, bytes] = {
            row[ARTICLE_ID]: _view_digest(row["text"], _row_view(row, self.stances))
            for row in _read_documents(previous_dir, (ARTICLE_ID, "text", "spans", "relations"))
        }
        self._changed: dict[str, DocView] = {}

    def add(self, article_id: str, text: str, gold: Adjudication) -> None:
        view = _doc_view(
            ((s.id, s.start, s.end, s.label) for s in gold.spans),
            ((r.from_id, r.to_id, r.label) for r in gold.relations),
            self.stances,
        )
        before = self._previous.pop(article_id, None)
        if before is None:
            self.changes.articles_added += 1
        elif before != _view_digest(text, view):
            self._changed[article_id] = view
            self.changes.articles_changed += 1

    def finish(self) -> Changes:
        changes = self.changes
        changes.articles_removed = len(self._previous)  # previous articles never seen again
        self._previous = {}
        if self._changed:
            for row in _read_documents(self.previous_dir, (ARTICLE_ID, "spans", "relations")):
                now = self._changed.get(row[ARTICLE_ID])
                if now is None:
                    continue
                old_spans, old_stance = _row_view(row, self.stances)
                new_spans, new_stance = now
                changes.spans_added += sum(1 for k in new_spans if k not in old_spans)
                changes.spans_removed += sum(1 for k in old_spans if k not in new_spans)
                changes.spans_relabelled += sum(
                    1 for k, v in new_spans.items() if k in old_spans and old_spans[k] != v
                )
                changes.stance_flips += sum(
                    1 for k, v in new_stance.items() if k in old_stance and old_stance[k] != v
                )
        self._changed = {}
        return changes
