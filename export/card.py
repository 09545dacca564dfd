"""The dataset card (``README.md``): YAML metadata the Hub and ``datasets`` read, then prose.

Everything in it is derived from the build's inputs (no dates, no paths), so it is reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from stancebank.export.adjudicate import POLICY
from stancebank.export.agreement import OVERALL, AgreementReport
from stancebank.export.errors import ExportError
from stancebank.schema.features import CONFIGS, DEFAULT_CONFIG, dataset_features
from stancebank.schema.layout import parquet_relpath
from stancebank.schema.spec import SPEC, SPLITS, AnnotationSpec

# A BCP-47 language tag as the Hub's `language` metadata takes it: a 2-3 letter language subtag,
# then optional script / region / variant subtags of 2-8 letters or digits (en, pt-BR, zh-Hant-TW,
# es-419). Nothing else may reach the card's YAML: a newline there would end the metadata block.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def check_language(value: str, where: str) -> str:
    """``value`` if it is a BCP-47 language tag; else an :class:`ExportError` naming ``where``."""
    if not LANGUAGE_TAG.fullmatch(value):
        raise ExportError(
            f"{where}: language {value!r} is not a BCP-47 language tag; use a code such as "
            "'en', 'fr' or 'pt-BR' in the article's data.language and export again"
        )
    return value


def size_category(n: int) -> str:
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return name
    return "1M<n<10M"


@dataclass
class Changes:
    previous_version: str
    articles_added: int = 0
    articles_removed: int = 0
    articles_changed: int = 0
    spans_added: int = 0
    spans_removed: int = 0
    spans_relabelled: int = 0
    stance_flips: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CardInputs:
    version: str
    counts: Mapping[str, Mapping[str, int]]
    num_bytes: Mapping[str, Mapping[str, int]]
    languages: list[str]
    license: str
    repo_id: str | None
    label_counts: Mapping[str, int]
    relation_counts: Mapping[str, int]
    provenance_counts: Mapping[str, int]
    adjudication: Mapping[str, int]
    agreement: AgreementReport
    changes: Changes | None
    extra_stats: Mapping[str, int] = field(default_factory=dict)
    # Markdown about the release's provenance (where the articles come from, their license, who
    # annotated), inserted verbatim into the Description section (``export build --about FILE``).
    about: str | None = None
    # What the project file's [policy] adds to POLICY (empty for the default policy).
    policy_note: str = ""
    # ``license: other`` needs a name and a link (the project file's license_name / license_link)
    license_name: str | None = None
    license_link: str | None = None
    # annotators per annotated article -> articles (how many people annotated each item)
    annotators_per_article: Mapping[int, int] = field(default_factory=dict)
    # the ``model_version`` of the predictions the tasks carried (the pre-annotator), sorted
    model_versions: tuple[str, ...] = ()
    # gold stance relations per canonical target: target_name (None: no name) -> stance -> count
    target_stances: Mapping[str | None, Mapping[str, int]] = field(default_factory=dict)


def dataset_url(repo_id: str | None) -> str:
    """The Hub page of the dataset (a placeholder repository when none is given)."""
    return f"https://huggingface.co/datasets/{repo_id or 'ORG/stancebank'}"


def citation(inp: CardInputs, spec: AnnotationSpec = SPEC) -> str:
    """The BibTeX entry of the release (the card's Citation and Croissant's ``citeAs``)."""
    return (
        "@misc{stancebank,\n"
        f"  title = {{{spec.title}}},\n  note = {{Version {inp.version}}},\n"
        f"  howpublished = {{\\url{{{dataset_url(inp.repo_id)}}}}}\n}}"
    )


def machine_annotated(inp: CardInputs) -> bool:
    """True when gold spans show a model's pre-annotation (some accepted or edited span)."""
    return bool(inp.provenance_counts.get("accepted", 0) or inp.provenance_counts.get("edited", 0))


def annotators_per_item(inp: CardInputs) -> str:
    """``"1 to 2 annotators per article"`` (from the annotated articles), or that none were."""
    counts = sorted(n for n, articles in inp.annotators_per_article.items() if articles)
    if not counts:
        return "no article has an annotation"
    low, high = counts[0], counts[-1]
    span = str(low) if low == high else f"{low} to {high}"
    detail = "; ".join(
        f"{inp.annotators_per_article[n]} article{'' if inp.annotators_per_article[n] == 1 else 's'} with {n}"
        for n in counts
    )
    return f"{span} annotator{'' if high == 1 else 's'} per article ({detail})"


def rai_facts(inp: CardInputs, spec: AnnotationSpec = SPEC) -> dict[str, str | list[str]]:
    """The Responsible-AI facts (Croissant RAI 1.0 keys); the card states the same sentences."""
    actor, claim, target = spec.role_label("actor"), spec.role_label("claim"), spec.role_label("target")
    machine = machine_annotated(inp)
    protocol = (
        f"Span annotation in Label Studio of {actor}, {claim} and {target} spans with attribution and "
        "stance relations, following the project's guidelines (schema version "
        f"{spec.version}). "
        + (
            "Tasks carried a model's pre-annotations, which annotators accepted, edited or deleted; "
            if machine
            else "Annotators drew every gold span by hand (no gold span comes from a pre-annotation); "
        )
        + "annotations were then adjudicated into gold: "
        + POLICY
    )
    facts: dict[str, str | list[str]] = {
        "dataCollection": "News articles collected by the project maintainers (see the dataset card's "
        "Description for their source and license).",
        "dataAnnotationProtocol": protocol,
        "dataAnnotationPlatform": "Label Studio",
        "annotationsPerItem": annotators_per_item(inp),
        "annotatorDemographics": "Not recorded. Annotators appear only as keyed pseudonyms.",
        "personalSensitiveInformation": "The articles name public figures and other people as speakers "
        "(actor spans and actor names); no other personal data is added. Annotators are published only "
        "as keyed-hash pseudonyms, never names or emails.",
        "dataLimitations": "A news sample, not a representative corpus; articles whose annotators "
        "disagreed and were not adjudicated are not in the gold configs, which biases them towards "
        "easier articles.",
        "dataBiases": "Pre-annotations may bias annotators towards the spans the model proposed; the "
        "per-span provenance (accepted / edited / hand) shows how much.",
        "dataUseCases": "Training and evaluating speaker attribution, claim detection and stance "
        "classification towards targets in news text.",
    }
    if machine and inp.model_versions:
        facts["machineAnnotationTools"] = list(inp.model_versions)
    elif machine:
        facts["machineAnnotationTools"] = ["the stancebank pre-annotator"]
    return facts


def _metadata(inp: CardInputs, spec: AnnotationSpec) -> dict[str, Any]:
    features = dataset_features(spec)
    configs: list[dict[str, Any]] = []
    infos: list[dict[str, Any]] = []
    for config in CONFIGS:
        splits = [s for s in SPLITS if inp.counts.get(config, {}).get(s, 0) > 0]
        if not splits:
            continue
        entry: dict[str, Any] = {"config_name": config}
        if config == DEFAULT_CONFIG:
            entry["default"] = True
        entry["data_files"] = [{"split": s, "path": parquet_relpath(config, s)} for s in splits]
        configs.append(entry)
        infos.append(
            {
                "config_name": config,
                "features": features[config]._to_yaml_list(),
                "splits": [
                    {"name": s, "num_bytes": inp.num_bytes[config][s], "num_examples": inp.counts[config][s]}
                    for s in splits
                ],
                "dataset_size": sum(inp.num_bytes[config][s] for s in splits),
            }
        )
    n_docs = sum(inp.counts.get(DEFAULT_CONFIG, {}).values())
    return {
        "pretty_name": spec.title,
        "license": inp.license,
        "language": [check_language(x, "card metadata") for x in inp.languages],
        "multilinguality": "monolingual" if len(inp.languages) <= 1 else "multilingual",
        "annotations_creators": ["expert-generated"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "task_categories": ["token-classification", "text-classification"],
        "size_categories": [size_category(n_docs)],
        "tags": ["stance-detection", "quotation-attribution", "relation-extraction", "news"],
        "configs": configs,
        "dataset_info": infos,
    }


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _splits_note(inp: CardInputs, short: bool = False) -> str:
    """Articles per split, naming empty splits explicitly (they have no parquet file and are not
    listed in the YAML ``configs``, so ``load_dataset`` returns only the others)."""
    docs = inp.counts.get(DEFAULT_CONFIG, {})
    parts = [
        f"{split}: {docs.get(split, 0)} article{'' if docs.get(split, 0) == 1 else 's'}"
        + ("" if docs.get(split, 0) else " in this version")
        for split in SPLITS
    ]
    note = "Splits (articles): " + "; ".join(parts) + "."
    empty = [s for s in SPLITS if not docs.get(s, 0)]
    present = [f"`{s}`" for s in SPLITS if docs.get(s, 0)]
    if empty and short:
        note += f" `load_dataset` returns {' and '.join(present) or 'no split'} (see Statistics)."
    elif empty:
        names = " and ".join(f"`{s}`" for s in empty)
        verb = "is" if len(empty) == 1 else "are"
        note += (
            f" The {names} split{'' if len(empty) == 1 else 's'} {verb} empty in this version: no "
            "article has been assigned to it yet (splits come from a stable hash of the article id, "
            "80/10/10, so small releases can leave one empty). An empty split has no parquet file, "
            f"so `load_dataset` returns only the other splits; later versions add {names} articles "
            "as the corpus grows, and no article ever moves between splits."
        )
    return note


def _target_stance_section(inp: CardInputs, spec: AnnotationSpec) -> str:
    """Stance counts per canonical target (``target_name``): what researchers group and balance by."""
    name = spec.attribute_for("target_name").name
    stances = list(spec.stance_names)
    intro = f"Stances per canonical target (`{name}`; gold claim–target pairs):\n\n"
    if not inp.target_stances:
        return intro + "No stance relations in gold."
    totals = {t: sum(c.values()) for t, c in inp.target_stances.items()}
    order = sorted(inp.target_stances, key=lambda t: (t is None, -totals[t], t or ""))
    rows = [
        [
            t if t is not None else f"(no `{name}`)",
            *(str(inp.target_stances[t].get(s, 0)) for s in stances),
            str(totals[t]),
        ]
        for t in order
    ]
    return intro + _table([name, *stances, "total"], rows)


def render_card(inp: CardInputs, spec: AnnotationSpec = SPEC) -> str:
    meta = yaml.safe_dump(_metadata(inp, spec), sort_keys=False, allow_unicode=True, width=1000)
    repo = inp.repo_id or "ORG/stancebank"
    actor, claim, target = spec.role_label("actor"), spec.role_label("claim"), spec.role_label("target")
    parts: list[str] = [f"---\n{meta}---\n", f"# {spec.title} — v{inp.version}\n"]

    parts.append(
        "## Description\n\n"
        f"News articles annotated with spans of who says what about what: `{actor}` (the speaker), "
        f"`{claim}` (the statement attributed to them) and `{target}` (what the statement takes a "
        "stance on), linked by relations: an attribution relation from actor to claim and a stance "
        "relation from claim to target. Annotations were made in Label Studio, pre-annotated by a "
        f"model and corrected by people, then adjudicated into gold. Schema version {spec.version}.\n"
        + (f"\n{inp.about.strip()}\n" if inp.about and inp.about.strip() else "")
    )

    label_rows = [
        [f"`{lab.name}`", lab.description, ", ".join(f"`{a.name}`" for a in lab.attributes) or "—"]
        for lab in spec.span_labels
    ]
    rel_rows = [
        [f"`{r.name}`", f"{'/'.join(r.from_labels)} → {'/'.join(r.to_labels)}", r.description]
        for r in spec.relation_labels
    ]
    attr_rows = [
        [f"`{a.name}`", a.description, ", ".join(f"`{c}`" for c in a.choices) or "free text"]
        for a in spec.attributes
    ]
    parts.append(
        "## Schema\n\n"
        "Configs: `documents` (default; one row per article with its gold `spans` and `relations`), "
        "`claims` (one row per claim–target pair; a claim without a target appears once with a null "
        "`stance`) and `annotations` (every annotator's annotation, disaggregated; annotators are "
        "pseudonyms). Offsets are Unicode code points into `text`; `text[start:end]` is the span text. "
        "Labels, relations, stances and choice attributes are `ClassLabel`s whose names are kept in "
        "the metadata above.\n\n### Span labels\n\n"
        + _table(["label", "definition", "attributes"], label_rows)
        + "\n\n### Relations\n\n"
        + _table(["relation", "from → to", "definition"], rel_rows)
        + "\n\n### Attributes\n\n"
        + _table(["attribute", "definition", "values"], attr_rows)
        + "\n"
    )

    parts.append(
        "## How to load\n\n```python\nfrom datasets import load_dataset\n\n"
        f'docs = load_dataset("{repo}", "documents", revision="v{inp.version}")\n'
        f'claims = load_dataset("{repo}", "claims", revision="v{inp.version}")\n'
        f'annotations = load_dataset("{repo}", "annotations", revision="v{inp.version}")\n'
        "```\n\nPin `revision` to a version tag: `main` moves with every release. Splits are sticky: "
        "an article keeps its split in every later version.\n\n" + _splits_note(inp, short=True) + "\n"
    )

    count_rows = [[c, *[str(inp.counts.get(c, {}).get(s, 0)) for s in SPLITS]] for c in CONFIGS]
    stat_rows = [[f"`{k}`", str(v)] for k, v in inp.label_counts.items()]
    stat_rows += [[f"`{k}` (relation)", str(v)] for k, v in inp.relation_counts.items()]
    prov_rows = [[k, str(v)] for k, v in inp.provenance_counts.items()]
    adj_rows = [[k, str(v)] for k, v in inp.adjudication.items()]
    parts.append(
        "## Statistics\n\n"
        + _splits_note(inp)
        + "\n\nRows per config and split:\n\n"
        + _table(["config", *SPLITS], count_rows)
        + "\n\nGold spans and relations:\n\n"
        + _table(["item", "count"], stat_rows)
        + "\n\nProvenance of gold spans (against the model's pre-annotations):\n\n"
        + _table(["provenance", "spans"], prov_rows)
        + "\n\nAdjudication (articles):\n\n"
        + _table(["outcome", "articles"], adj_rows)
        + "\n\n"
        + _target_stance_section(inp, spec)
        + "\n"
    )

    ag = inp.agreement
    span_rows = [
        [lab, _fmt(ag.span_f1_exact.get(lab)), _fmt(ag.span_f1_overlap.get(lab))]
        for lab in (*spec.span_label_names, OVERALL)
    ]
    rel_f1_rows = [[lab, _fmt(ag.relation_f1.get(lab))] for lab in (*spec.relation_label_names, OVERALL)]
    alpha_rows = [[k, _fmt(v), str(ag.alpha_units.get(k, 0))] for k, v in ag.alpha.items()]
    parts.append(
        "## Annotation and agreement\n\n"
        f"Adjudication policy: {POLICY}{inp.policy_note}\n\n"
        f"Agreement over {ag.articles} articles annotated by two or more people ({ag.pairs} annotation "
        "pairs, pooled). Span F1 per label (exact offsets; overlap):\n\n"
        + _table(["label", "F1 exact", "F1 overlap"], span_rows)
        + "\n\nRelation F1 on relations whose two endpoints both annotators drew exactly:\n\n"
        + _table(["relation", "F1"], rel_f1_rows)
        + "\n\nKrippendorff's α (nominal) for stance and attributes on spans/pairs drawn by at least "
        "two annotators (— = undefined):\n\n" + _table(["variable", "α", "units"], alpha_rows) + "\n"
    )

    if inp.changes is None:
        parts.append("## Changes since the previous version\n\nFirst release.\n")
    else:
        ch = inp.changes
        parts.append(
            f"## Changes since the previous version\n\nCompared with v{ch.previous_version}:\n\n"
            + _table(
                ["change", "count"],
                [
                    ["articles added", str(ch.articles_added)],
                    ["articles removed", str(ch.articles_removed)],
                    ["articles changed", str(ch.articles_changed)],
                    ["spans added", str(ch.spans_added)],
                    ["spans removed", str(ch.spans_removed)],
                    ["spans relabelled", str(ch.spans_relabelled)],
                    ["stance flips", str(ch.stance_flips)],
                ],
            )
            + "\n"
        )

    parts.append(
        "## Limitations\n\n"
        + (
            "- Where the articles come from and their license are stated in the Description above; "
            "check them before redistributing the text.\n"
            if inp.about and inp.about.strip()
            else "- Articles are news text from their publishers; their copyright stays with them. "
            "Check the license before redistributing the text.\n"
        )
        + "- Pre-annotations by a small model may bias annotators towards the spans it proposed "
        "(see provenance above).\n"
        "- Articles whose annotators disagreed without a majority are left out until a reviewer "
        "adjudicates them; the release is therefore biased towards easier articles.\n"
        "- Annotators are pseudonyms (a keyed hash); pseudonyms are stable across versions only while "
        "the project keeps its secret key.\n"
    )
    parts.append("## Citation\n\n```bibtex\n" + citation(inp, spec) + "\n```\n")
    return "\n".join(parts)
