"""Build a release folder in the Hub's layout from Label Studio exports.

``build_release`` reads and merges the exports, adjudicates gold, computes agreement, assigns
sticky splits, streams the three configs into parquet (pyarrow writers on the ``datasets``
features' arrow schema, a batch at a time), writes the card and ``release.json`` into a temporary
folder next to ``out``, runs the release validation hook, and only then renames the folder into
place and updates the split registry. A release that fails validation is never written.

Determinism: rows are sorted, the card and manifest hold no time or absolute path, and parquet is
written with fixed options, so building twice from the same inputs gives identical bytes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features

from stancebank.export.adjudicate import Adjudication, adjudicate
from stancebank.export.agreement import AgreementReport, compute_agreement
from stancebank.export.card import CardInputs, Changes, parquet_relpath, render_card
from stancebank.export.errors import ExportError, ReleaseValidationError, VersionError
from stancebank.export.pseudonym import Pseudonymizer, load_key
from stancebank.export.reader import PROVENANCES, ExportData, read_exports
from stancebank.export.rows import Encoder, Row, annotation_row, claim_rows, document_row
from stancebank.export.splits import DEFAULT_REGISTRY, assign, load_registry, save_registry
from stancebank.schema.features import CONFIGS, DEFAULT_CONFIG, dataset_features
from stancebank.schema.spec import SPEC, AnnotationSpec, parse_version
from stancebank.schema.tables import SPLITS

log = logging.getLogger(__name__)

MANIFEST = "release.json"
CARD = "README.md"
BATCH_ROWS = 2_000
ROW_GROUP_ROWS = 50_000


class Reporter:
    """Progress hooks; the CLI subclasses this with Rich bars. Library default: silent."""

    def start(self, stage: str, total: int | None = None) -> None:
        return None

    def advance(self, n: int = 1) -> None:
        return None


@dataclass
class BuildResult:
    out: Path
    version: str
    counts: dict[str, dict[str, int]]
    agreement: AgreementReport
    methods: dict[str, int]
    conflicts: list[Adjudication]
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
    """One pyarrow writer per split of a config, fed a batch at a time."""

    def __init__(self, root: Path, config: str, features: Features) -> None:
        self.root = root
        self.config = config
        self.schema: pa.Schema = features.arrow_schema
        self.buffers: dict[str, list[Row]] = {s: [] for s in SPLITS}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts: dict[str, int] = dict.fromkeys(SPLITS, 0)
        self.num_bytes: dict[str, int] = dict.fromkeys(SPLITS, 0)

    def add(self, split: str, rows: Sequence[Row]) -> None:
        buf = self.buffers[split]
        buf.extend(rows)
        self.counts[split] += len(rows)
        if len(buf) >= BATCH_ROWS:
            self._flush(split)

    def _flush(self, split: str) -> None:
        buf = self.buffers[split]
        if not buf:
            return
        writer = self.writers.get(split)
        if writer is None:
            path = self.root / parquet_relpath(self.config, split)
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = self.writers[split] = pq.ParquetWriter(
                path, self.schema, compression="zstd", write_statistics=True, store_schema=True
            )
        table = pa.Table.from_pylist(buf, schema=self.schema)
        self.num_bytes[split] += table.nbytes
        writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        buf.clear()

    def close(self) -> None:
        for split in SPLITS:
            self._flush(split)
        for writer in self.writers.values():
            writer.close()


# -- changes vs the previous release -----------------------------------------------------------


def _read_documents(release_dir: Path) -> Iterator[dict[str, Any]]:
    for split in SPLITS:
        path = release_dir / parquet_relpath(DEFAULT_CONFIG, split)
        if not path.exists():
            continue
        pf = pq.ParquetFile(path)
        features = Features.from_arrow_schema(pf.schema_arrow)
        span_names = features["spans"].feature["label"].names
        rel_names = features["relations"].feature["label"].names
        for batch in pf.iter_batches(columns=["id", "text", "spans", "relations"]):
            for row in batch.to_pylist():
                for s in row["spans"]:
                    s["label"] = span_names[s["label"]]
                for r in row["relations"]:
                    r["label"] = rel_names[r["label"]]
                yield row


def _doc_view(
    row: dict[str, Any], stances: set[str]
) -> tuple[str, dict[tuple[int, int], str], dict[Any, str]]:
    by_id = {s["id"]: (s["start"], s["end"]) for s in row["spans"]}
    spans = {(s["start"], s["end"]): s["label"] for s in row["spans"]}
    stance = {
        (by_id[r["from_id"]], by_id[r["to_id"]]): r["label"]
        for r in row["relations"]
        if r["label"] in stances and r["from_id"] in by_id and r["to_id"] in by_id
    }
    return row["text"], spans, stance


def compute_changes(
    previous_dir: Path, previous_version: str, current: Sequence[Row], spec: AnnotationSpec
) -> Changes:
    stances = set(spec.stance_names)
    changes = Changes(previous_version=previous_version)
    cur: dict[str, tuple[str, dict[tuple[int, int], str], dict[Any, str]]] = {}
    for row in current:
        decoded = {
            "id": row["id"],
            "text": row["text"],
            "spans": [{**s, "label": spec.span_label_names[s["label"]]} for s in row["spans"]],
            "relations": [{**r, "label": spec.relation_label_names[r["label"]]} for r in row["relations"]],
        }
        cur[row["id"]] = _doc_view(decoded, stances)
    seen: set[str] = set()
    for row in _read_documents(previous_dir):
        seen.add(row["id"])
        now = cur.get(row["id"])
        if now is None:
            changes.articles_removed += 1
            continue
        before = _doc_view(row, stances)
        if before != now:
            changes.articles_changed += 1
        old_spans, new_spans = before[1], now[1]
        changes.spans_added += sum(1 for k in new_spans if k not in old_spans)
        changes.spans_removed += sum(1 for k in old_spans if k not in new_spans)
        changes.spans_relabelled += sum(
            1 for k, v in new_spans.items() if k in old_spans and old_spans[k] != v
        )
        changes.stance_flips += sum(1 for k, v in now[2].items() if k in before[2] and before[2][k] != v)
    changes.articles_added = sum(1 for k in cur if k not in seen)
    return changes


# -- validation hook -----------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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

    reporter.start("adjudicating", len(data.annotations))
    conflicts: list[Adjudication] = []
    methods: Counter[str] = Counter({"ground_truth": 0, "single": 0, "majority": 0, "conflict": 0})
    gold: dict[str, bytes] = {}  # article id → packed Adjudication (memory: see PackedAnnotations)
    for article_id in sorted(data.annotations):
        adj = adjudicate(article_id, data.annotations[article_id], spec)
        methods[adj.method] += 1
        if adj.is_gold:
            gold[article_id] = zlib.compress(pickle.dumps(adj, protocol=pickle.HIGHEST_PROTOCOL), 1)
        elif adj.method == "conflict":
            conflicts.append(adj)
        reporter.advance()

    reporter.start("agreement")
    agreement = compute_agreement(data.annotations, spec)

    registry = load_registry(registry_path)
    splits, new_registry = assign(sorted(gold), registry)

    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        enc = Encoder(spec)
        features = dataset_features(spec)
        writers = {c: SplitWriters(tmp, c, features[c]) for c in CONFIGS}
        label_counts: Counter[str] = Counter(dict.fromkeys(spec.span_label_names, 0))
        relation_counts: Counter[str] = Counter(dict.fromkeys(spec.relation_label_names, 0))
        provenance: Counter[str] = Counter(dict.fromkeys(PROVENANCES, 0))
        keep_docs = previous is not None
        doc_rows: list[Row] = []
        reporter.start("writing parquet", len(gold))
        for article_id in sorted(splits):
            gold_adj: Adjudication = pickle.loads(zlib.decompress(gold.pop(article_id)))
            article, split = data.articles[article_id], splits[article_id]
            drow = document_row(article, gold_adj, enc)
            writers["documents"].add(split, [drow])
            if keep_docs:
                doc_rows.append(drow)
            writers["claims"].add(split, claim_rows(article, gold_adj, enc))
            writers["annotations"].add(
                split, [annotation_row(a, enc, pseudonym) for a in data.annotations[article_id]]
            )
            label_counts.update(s.label for s in gold_adj.spans)
            relation_counts.update(r.label for r in gold_adj.relations)
            provenance.update(gold_adj.provenance.values())
            reporter.advance()
        for w in writers.values():
            w.close()
        # Only splits with rows have a file (an empty parquet split does not load): list those.
        counts = {c: {s: writers[c].counts[s] for s in SPLITS if writers[c].counts[s]} for c in CONFIGS}

        changes = (
            compute_changes(Path(previous), str(prev_manifest["version"]), doc_rows, spec)
            if previous is not None and prev_manifest is not None
            else None
        )
        adjudication_counts = methods
        languages = sorted({str(data.articles[a].language) for a in splits if data.articles[a].language})
        languages = languages or ["en"]
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
        (tmp / "README.md").write_text(card, encoding="utf-8")

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
