"""Rows of the published configs (documents, claims, stance, annotations), ClassLabels as ints.

Rows match :func:`stancebank.schema.features.dataset_features` exactly; every list is sorted so a
rebuild produces the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from stancebank.export.adjudicate import Adjudication
from stancebank.schema.columns import CLAIM_COLUMNS, STANCE_COLUMNS
from stancebank.schema.features import ARTICLE_ID, PROVENANCES
from stancebank.schema.model import Annotation, Article, Relation, Span
from stancebank.schema.sentences import context
from stancebank.schema.spec import SPEC, AnnotationSpec

Row = dict[str, Any]


class Encoder:
    """Names → ClassLabel ids, in spec order."""

    def __init__(self, spec: AnnotationSpec = SPEC) -> None:
        self.spec = spec
        self.attribute_names = tuple(a.name for a in spec.attributes)  # spec.attributes is computed
        self.label = {n: i for i, n in enumerate(spec.span_label_names)}
        self.relation = {n: i for i, n in enumerate(spec.relation_label_names)}
        self.stance = {n: i for i, n in enumerate(spec.stance_names)}
        self.provenance = {n: i for i, n in enumerate(PROVENANCES)}
        self.choice = {
            a.name: {c: i for i, c in enumerate(a.choices)} for a in spec.attributes if a.kind == "choice"
        }

    def attribute(self, name: str, value: str | None) -> int | str | None:
        if value is None or value == "":
            return None
        table = self.choice.get(name)
        return table[value] if table is not None else value

    def attributes(self, span: Span) -> dict[str, int | str | None]:
        """Every attribute of the spec (None where the span has none), as :meth:`attribute` encodes
        it (inlined: a release encodes millions)."""
        attrs, choice = span.attributes, self.choice
        out: dict[str, int | str | None] = {}
        for name in self.attribute_names:
            value = attrs.get(name)
            if value is None or value == "":
                out[name] = None
            else:
                table = choice.get(name)
                out[name] = table[value] if table is not None else value
        return out

    def span(self, span: Span) -> Row:
        return {
            "id": span.id,
            "label": self.label[span.label],
            "start": span.start,
            "end": span.end,
            "text": span.text,
            "attributes": self.attributes(span),
        }

    def relation_row(self, rel: Relation) -> Row:
        return {"from_id": rel.from_id, "to_id": rel.to_id, "label": self.relation[rel.label]}


def _sorted_relations(relations: Sequence[Relation]) -> list[Relation]:
    return sorted(relations, key=lambda r: (r.from_id, r.to_id, r.label))


def document_row(
    article: Article, gold: Adjudication, enc: Encoder, sentences: Sequence[tuple[int, int]]
) -> Row:
    """The article with its ``sentences`` (:func:`stancebank.schema.sentences.split_sentences`)
    and gold spans, each with its provenance against the pre-annotations."""
    return {
        ARTICLE_ID: article.article_id,
        "title": article.title,
        "text": article.text,
        "url": article.url,
        "source": article.source,
        "published": article.published,
        "language": article.language,
        "sentences": [{"start": start, "end": end} for start, end in sentences],
        "spans": [
            {**enc.span(s), "provenance": enc.provenance[gold.provenance.get(s.id, "hand")]}
            for s in gold.spans
        ],
        "relations": [enc.relation_row(r) for r in _sorted_relations(gold.relations)],
        "num_annotators": gold.num_annotators,
    }


def claim_rows(
    article: Article, gold: Adjudication, enc: Encoder, sentences: Sequence[tuple[int, int]]
) -> list[Row]:
    """One row per claim–target pair; a claim with no target appears once with a null stance.
    Each row carries the article's language and the claim's context: the sentence(s) of
    ``sentences`` the claim overlaps."""
    spec = enc.spec
    claim_label, actor_label = spec.role_label("claim"), spec.role_label("actor")
    attribution = {r.name for r in spec.attribution_labels}
    stances = set(spec.stance_names)
    by_id = {s.id: s for s in gold.spans}
    claim_attrs = spec.span_label(claim_label).attributes
    actor_attrs = spec.span_label(actor_label).attributes
    target_attrs = spec.span_label(spec.role_label("target")).attributes
    c = CLAIM_COLUMNS
    rows: list[Row] = []
    for claim in gold.spans:
        if claim.label != claim_label:
            continue
        actors = sorted(
            (by_id[r.from_id] for r in gold.relations if r.to_id == claim.id and r.label in attribution),
            key=lambda s: (s.start, s.end, s.id),
        )
        actor = actors[0] if actors else None
        base: Row = {
            c.article_id: article.article_id,
            c.claim_id: claim.id,
            c.claim_text: claim.text,
            c.claim_start: claim.start,
            c.claim_end: claim.end,
            c.language: article.language,
        }
        sentence_start, sentence_end = context(sentences, claim.start, claim.end)
        base.update(
            {
                c.sentence: article.text[sentence_start:sentence_end],
                c.sentence_start: sentence_start,
                c.sentence_end: sentence_end,
            }
        )
        base.update({a.name: enc.attribute(a.name, claim.attributes.get(a.name)) for a in claim_attrs})
        base[c.actor_id] = actor.id if actor else None
        base[c.actor_text] = actor.text if actor else None
        base.update(
            {
                a.name: enc.attribute(a.name, actor.attributes.get(a.name)) if actor else None
                for a in actor_attrs
            }
        )
        targets = sorted(
            (
                (by_id[r.to_id], r.label)
                for r in gold.relations
                if r.from_id == claim.id and r.label in stances
            ),
            key=lambda t: (t[0].start, t[0].end, t[0].id, t[1]),
        )
        if not targets:
            rows.append(
                {
                    **base,
                    c.target_id: None,
                    c.target_text: None,
                    c.target_start: None,
                    c.target_end: None,
                    **{a.name: None for a in target_attrs},
                    c.stance: None,
                }
            )
        for target, stance in targets:
            rows.append(
                {
                    **base,
                    c.target_id: target.id,
                    c.target_text: target.text,
                    c.target_start: target.start,
                    c.target_end: target.end,
                    **{a.name: enc.attribute(a.name, target.attributes.get(a.name)) for a in target_attrs},
                    c.stance: enc.stance[stance],
                }
            )
    return rows


def stance_rows(claims: Sequence[Row], enc: Encoder) -> list[Row]:
    """The ``stance`` config's rows: the ``claims`` rows that have a stance, as a classifier takes
    them (claim, target, canonical target, stance, context, language)."""
    canonical = enc.spec.attribute_for("target_name").name
    c, s = CLAIM_COLUMNS, STANCE_COLUMNS
    return [
        {
            s.article_id: row[c.article_id],
            s.claim_id: row[c.claim_id],
            s.target_id: row[c.target_id],
            s.claim: row[c.claim_text],
            s.target: row[c.target_text],
            s.canonical_target: row[canonical],
            s.stance: row[c.stance],
            s.context: row[c.sentence],
            s.language: row[c.language],
        }
        for row in claims
        if row[c.stance] is not None
    ]


def annotation_row(
    ann: Annotation, enc: Encoder, pseudonym: Callable[[str], str], gold: Adjudication, text: str
) -> Row:
    """One annotation with its article's adjudication; each span's ``gold_id`` joins it to the gold
    span with the same label and offsets, where gold has one."""
    spans = sorted(ann.spans, key=lambda s: (s.start, s.end, s.label, s.id))
    gold_ids = {(s.label, s.start, s.end): s.id for s in gold.spans}
    return {
        "article_id": ann.article_id,
        "annotation_id": ann.annotation_id,
        "annotator": pseudonym(ann.annotator),
        "ground_truth": ann.ground_truth,
        "review": bool(ann.extra.get("review")),
        "status": gold.status,
        "gold_method": gold.gold_method,
        "text": text,
        "spans": [_with_gold_id(enc.span(s), gold_ids.get((s.label, s.start, s.end))) for s in spans],
        "relations": [enc.relation_row(r) for r in _sorted_relations(ann.relations)],
    }


def _with_gold_id(row: Row, gold_id: str | None) -> Row:
    row["gold_id"] = gold_id
    return row
