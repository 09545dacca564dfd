"""Build a release folder in the Hub's layout from Label Studio exports.

``build_release`` reads and merges the exports (annotations and articles kept compressed, see
:mod:`stancebank.export.reader`), then walks the articles once in id order: adjudicate, add to the
agreement, assign the sticky split, and stream the rows of the three configs into parquet (pyarrow
writers on the ``datasets`` features' arrow schema, a batch at a time); nothing per article is kept
but counters, the conflicts and — with ``previous`` — a 16-byte digest per previous article
(:class:`ChangeTracker`). It writes the card and ``release.json`` into a temporary folder next to
``out``, frees its state, runs the release validation hook, and only then renames the folder into
place and updates the split registry. A release that fails validation is never written.

Determinism: rows are sorted, the card and manifest hold no time or absolute path, and parquet is
written with fixed options, so building twice from the same inputs gives identical bytes.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import json
import logging
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features

from stancebank.export.adjudicate import Adjudication, adjudicate
from stancebank.export.agreement import AgreementAccumulator, AgreementReport
from stancebank.export.card import CardInputs, Changes, render_card
from stancebank.export.errors import ExportError, ReleaseValidationError, VersionError
from stancebank.export.pseudonym import Pseudonymizer, load_key
from stancebank.export.reader import PROVENANCES, ExportData, read_exports
from stancebank.export.reporting import Reporter
from stancebank.export.rows import Encoder, Row, annotation_row, claim_rows, document_row
from stancebank.export.splits import DEFAULT_REGISTRY, load_registry, save_registry, split_for
from stancebank.schema.features import CONFIGS, DEFAULT_CONFIG, dataset_features
from stancebank.schema.layout import CARD, MANIFEST, parquet_relpath, sha256_file
from stancebank.schema.spec import SPEC, SPLITS, AnnotationSpec, parse_version

log = logging.getLogger(__name__)

BATCH_ROWS = 2_000
CHUNK_ROWS = 200
ROW_GROUP_ROWS = 50_000


@dataclass
class BuildResult:
    out: Path
    version: str
    counts: dict[str, dict[str, int]]
    agreement: AgreementReport
    methods: dict[str, int]
    conflicts: list[Adjudication]
    # The read summary (counts, issues, task ids); its articles/annotations hold only the articles
    # on the adjudication list (the others are freed before validation).
    data: ExportData
    changes: Changes | None
    new_registry_entries: int
    provenance: dict[str, int] = field(default_factory=dict)


# -- versions ------------------------------------------------------------------------------------


def read_manifest(release_dir: Path) -> dict[str, Any]:
    path = release_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ExportError(
            f"{path}: cannot read the release manifest ({err}); is {release_dir} a release?"
        ) from err
    if not isinstance(manifest, dict) or "version" not in manifest:
        raise ExportError(f"{path}: not a stancebank release manifest (no 'version')")
    return manifest


def check_version(version: str, previous: dict[str, Any] | None, spec: AnnotationSpec = SPEC) -> None:
    """Refuse a version that is not semver, not above the previous one, or a schema major change
    without a major bump."""
    try:
        new = parse_version(version)
    except ValueError as err:
        raise VersionError(f"--version {version!r} is not semver X.Y.Z (e.g. 1.2.0)") from err
    if previous is None:
        return
    prev_version = str(previous["version"])
    prev = parse_version(prev_version)
    if new <= prev:
        raise VersionError(
            f"version {version} is not above the previous release {prev_version}; use a higher version"
        )
    prev_schema = parse_version(str(previous.get("schema_version", spec.version)))
    schema = parse_version(spec.version)
    if schema[0] != prev_schema[0] and new[0] == prev[0]:
        raise VersionError(
            f"the schema changed major version ({'.'.join(map(str, prev_schema))} → {spec.version}); "
            f"a release with it needs a major bump: use {prev[0] + 1}.0.0"
        )


# -- parquet -------------------------------------------------------------------------------------


class SplitWriters:
    """One pyarrow writer per split of a config, fed a batch at a time.

    Rows are turned into Arrow record batches every :data:`CHUNK_ROWS` rows (Arrow holds a row in a
    fraction of what its Python dicts cost) and written as one row group every :data:`BATCH_ROWS`.
    """

    def __init__(self, root: Path, config: str, features: Features) -> None:
        self.root = root
        self.config = config
        self.schema: pa.Schema = features.arrow_schema
        self.buffers: dict[str, list[Row]] = {s: [] for s in SPLITS}
        self.chunks: dict[str, list[pa.RecordBatch]] = {s: [] for s in SPLITS}
        self.pending: dict[str, int] = dict.fromkeys(SPLITS, 0)
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts: dict[str, int] = dict.fromkeys(SPLITS, 0)
        self.num_bytes: dict[str, int] = dict.fromkeys(SPLITS, 0)

    def add(self, split: str, rows: Sequence[Row]) -> None:
        buf = self.buffers[split]
        buf.extend(rows)
        self.counts[split] += len(rows)
        self.pending[split] += len(rows)
        if len(buf) >= CHUNK_ROWS:
            self._chunk(split)
        if self.pending[split] >= BATCH_ROWS:
            self._flush(split)

    def _chunk(self, split: str) -> None:
        buf = self.buffers[split]
        if buf:
            self.chunks[split].append(pa.RecordBatch.from_pylist(buf, schema=self.schema))
            buf.clear()

    def _flush(self, split: str) -> None:
        self._chunk(split)
        chunks = self.chunks[split]
        if not chunks:
            return
        writer = self.writers.get(split)
        if writer is None:
            path = self.root / parquet_relpath(self.config, split)
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = self.writers[split] = pq.ParquetWriter(
                path, self.schema, compression="zstd", write_statistics=True, store_schema=True
            )
        table = pa.Table.from_batches(chunks, schema=self.schema).combine_chunks()
        self.num_bytes[split] += table.nbytes
        writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        chunks.clear()
        self.pending[split] = 0

    def close(self) -> None:
        for split in SPLITS:
            self._flush(split)
        for writer in self.writers.values():
            writer.close()


# -- changes vs the previous release -----------------------------------------------------------


def _read_documents(release_dir: Path, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The previous release's documents, a batch at a time, ClassLabels decoded with its own names."""
    for split in SPLITS:
        path = release_dir / parquet_relpath(DEFAULT_CONFIG, split)
        if not path.exists():
            continue
        pf = pq.ParquetFile(path)
        features = Features.from_arrow_schema(pf.schema_arrow)
        span_names = features["spans"].feature["label"].names
        rel_names = features["relations"].feature["label"].names
        for batch in pf.iter_batches(columns=list(columns), batch_size=1_000):
            for row in batch.to_pylist():
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
            row["id"]: _view_digest(row["text"], _row_view(row, self.stances))
            for row in _read_documents(previous_dir, ("id", "text", "spans", "relations"))
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
            for row in _read_documents(self.previous_dir, ("id", "spans", "relations")):
                now = self._changed.get(row["id"])
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


def release_memory() -> None:
    """Hand freed memory back before the validation hook (which reads the whole release): Python
    garbage, Arrow's pool, and — on glibc — the heap's free pages (``malloc_trim``)."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)


# -- validation hook -----------------------------------------------------------------------------


def _builtin_release_checks(folder: Path, spec: AnnotationSpec) -> list[str]:
    """Minimal structural checks used when stancebank.validation exposes no release validator."""
    problems: list[str] = []
    manifest = read_manifest(folder)
    for rel, digest in manifest.get("files", {}).items():
        path = folder / rel
        if not path.exists():
            problems.append(f"{rel}: listed in {MANIFEST} but missing")
        elif sha256_file(path) != digest:
            problems.append(f"{rel}: sha256 differs from {MANIFEST}")
    features = dataset_features(spec)
    for config, splits in manifest.get("counts", {}).items():
        for split, rows in splits.items():
            path = folder / parquet_relpath(config, split)
            if rows == 0:
                continue
            pf = pq.ParquetFile(path)
            if pf.metadata.num_rows != rows:
                problems.append(
                    f"{path.relative_to(folder)}: {pf.metadata.num_rows} rows, manifest says {rows}"
                )
            if not pf.schema_arrow.equals(features[config].arrow_schema, check_metadata=False):
                problems.append(
                    f"{path.relative_to(folder)}: schema differs from dataset_features()[{config!r}]"
                )
    return problems


def validate_release_folder(
    folder: Path, spec: AnnotationSpec = SPEC, previous: Path | None = None, registry: Path | None = None
) -> list[str]:
    """THE release validation hook: problems found in a built release folder (empty = valid).

    Runs the built-in structural checks above, then ``stancebank.validation.validate_release_dir``
    (span-aware checks, splits against the previous release and the registry, integrity); each of
    its errors becomes a problem.
    """
    problems = _builtin_release_checks(folder, spec)
    from stancebank.validation import validate_release_dir

    report = validate_release_dir(folder, previous=previous, registry=registry, spec=spec)
    if not report.ok:
        problems.extend(f"{finding.check}: {finding.message}" for finding in report.errors)
    return problems


# -- the build -----------------------------------------------------------------------------------


def build_release(
    exports: Sequence[Path],
    version: str,
    out: Path,
    *,
    previous: Path | None = None,
    registry_path: Path = DEFAULT_REGISTRY,
    key_file: Path | None = None,
    license_id: str = "other",
    repo_id: str | None = None,
    about: str | None = None,
    spec: AnnotationSpec = SPEC,
    reporter: Reporter | None = None,
    validator: Callable[[Path], list[str]] | None = None,
) -> BuildResult:
    reporter = reporter or Reporter()
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ExportError(f"{out} exists and is not empty; choose a new --out for version {version}")
    prev_manifest = read_manifest(previous) if previous is not None else None
    check_version(version, prev_manifest, spec)
    for path in exports:
        if not Path(path).is_file():
            raise ExportError(f"export {path} does not exist; pass Label Studio JSON export files")
    key = load_key(key_file, forbidden_roots=(out, registry_path.parent))
    pseudonym = Pseudonymizer(key)

    reporter.start("reading exports")
    data = read_exports([Path(p) for p in exports], spec, on_task=reporter.advance)

    registry = load_registry(registry_path)
    new_registry = dict(registry)
    tracker = (
        ChangeTracker(Path(previous), str(prev_manifest["version"]), spec)
        if previous is not None and prev_manifest is not None
        else None
    )

    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        # One pass, one article at a time: adjudicate, add to the agreement, and stream its rows
        # into the parquet writers. Nothing per article is kept but counters (and the conflicts).
        enc = Encoder(spec)
        features = dataset_features(spec)
        writers = {c: SplitWriters(tmp, c, features[c]) for c in CONFIGS}
        label_counts: Counter[str] = Counter(dict.fromkeys(spec.span_label_names, 0))
        relation_counts: Counter[str] = Counter(dict.fromkeys(spec.relation_label_names, 0))
        provenance: Counter[str] = Counter(dict.fromkeys(PROVENANCES, 0))
        methods: Counter[str] = Counter({"ground_truth": 0, "single": 0, "majority": 0, "conflict": 0})
        conflicts: list[Adjudication] = []
        agreement_acc = AgreementAccumulator(spec)
        language_set: set[str] = set()
        reporter.start("adjudicating, writing", len(data.annotations))
        for article_id in sorted(data.annotations):
            anns = data.annotations[article_id]
            agreement_acc.add(anns)
            gold_adj = adjudicate(article_id, anns, spec)
            methods[gold_adj.method] += 1
            if not gold_adj.is_gold:
                if gold_adj.method == "conflict":
                    conflicts.append(gold_adj)
                reporter.advance()
                continue
            article = data.articles[article_id]
            split = split_for(article_id, new_registry)
            writers["documents"].add(split, [document_row(article, gold_adj, enc)])
            writers["claims"].add(split, claim_rows(article, gold_adj, enc))
            writers["annotations"].add(split, [annotation_row(a, enc, pseudonym) for a in anns])
            label_counts.update(s.label for s in gold_adj.spans)
            relation_counts.update(r.label for r in gold_adj.relations)
            provenance.update(gold_adj.provenance.values())
            if article.language:
                language_set.add(article.language)
            if tracker is not None:
                tracker.add(article_id, article.text, gold_adj)
            reporter.advance()
        for w in writers.values():
            w.close()
        agreement = agreement_acc.finish()
        # Only splits with rows have a file (an empty parquet split does not load): list those.
        counts = {c: {s: writers[c].counts[s] for s in SPLITS if writers[c].counts[s]} for c in CONFIGS}

        changes = tracker.finish() if tracker is not None else None
        adjudication_counts = methods
        languages = sorted(language_set) or ["en"]
        card = render_card(
            CardInputs(
                version=version,
                counts=counts,
                num_bytes={c: dict(writers[c].num_bytes) for c in CONFIGS},
                languages=[str(x) for x in languages],
                license=license_id,
                repo_id=repo_id,
                label_counts=dict(label_counts),
                relation_counts=dict(relation_counts),
                provenance_counts=dict(provenance),
                adjudication=dict(adjudication_counts),
                agreement=agreement,
                changes=changes,
                about=about,
            ),
            spec,
        )
        (tmp / CARD).write_text(card, encoding="utf-8")

        files = {
            p.relative_to(tmp).as_posix(): sha256_file(p)
            for p in sorted(tmp.rglob("*"))
            if p.is_file() and p.name != MANIFEST
        }
        manifest = {
            "name": "stancebank",
            "version": version,
            "schema_version": spec.version,
            "previous_version": prev_manifest["version"] if prev_manifest else None,
            "inputs": [{"file": Path(p).name, "sha256": sha256_file(Path(p))} for p in exports],
            "files": dict(sorted(files.items())),
            "counts": counts,
            "agreement": agreement.to_dict(),
            "adjudication": dict(adjudication_counts),
            "provenance": dict(provenance),
            "changes": changes.to_dict() if changes else None,
        }
        (tmp / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

        # The validator reads the whole release into tables: free the build's state first. Only
        # the articles on the adjudication list stay (the CLI writes their review tasks).
        data.retain(c.article_id for c in conflicts)
        del writers, agreement_acc, tracker
        release_memory()
        reporter.start("validating")
        reg_arg = registry_path if registry_path.exists() else None
        problems = (validator or (lambda p: validate_release_folder(p, spec, previous, reg_arg)))(tmp)
        if problems:
            shown = "; ".join(problems[:10])
            raise ReleaseValidationError(
                f"release {version} failed validation ({len(problems)} problem(s)): {shown}; "
                "nothing was written"
            )
        if out.exists():
            out.rmdir()
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    new_entries = len(new_registry) - len(registry)
    del registry
    if new_entries:
        save_registry(registry_path, new_registry)
    return BuildResult(
        out=out,
        version=version,
        counts=counts,
        agreement=agreement,
        methods=dict(methods),
        conflicts=conflicts,
        data=data,
        changes=changes,
        new_registry_entries=new_entries,
        provenance=dict(provenance),
    )
