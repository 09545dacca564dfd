"""The dataset card (``README.md``): YAML metadata the Hub and ``datasets`` read, then prose.

Everything in it is derived from the build's inputs (no dates, no paths), so it is reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from datasets import ClassLabel, DatasetInfo, Features, List, Value
from datasets.info import DatasetInfosDict
from datasets.splits import SplitDict, SplitInfo
from huggingface_hub import DatasetCardData

from stancebank.export.adjudicate import POLICY
from stancebank.export.agreement import AgreementReport
from stancebank.export.baselines import HUMAN, MAJORITY, PREANNOTATOR, Baselines
from stancebank.export.errors import ExportError, ExportUsageError
from stancebank.export.metrics import render_agreement
from stancebank.schema.features import CONFIGS, DEFAULT_CONFIG, dataset_features
from stancebank.schema.layout import EMPTY_CONFIG_SPLIT, SHARD_ROWS, file_splits, parquet_relpaths
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
    # items of the articles with two or more annotators by outcome (agreed / minority / conflict)
    adjudication_items: Mapping[str, int] = field(default_factory=dict)
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
    # annotated articles per split, gold or not (the articles of ``annotations``)
    annotated_per_split: Mapping[str, int] = field(default_factory=dict)
    # the ``model_version`` of the predictions the tasks carried (the pre-annotator), sorted
    model_versions: tuple[str, ...] = ()
    # gold stance relations per canonical target: target_name (None: no name) -> stance -> count
    target_stances: Mapping[str | None, Mapping[str, int]] = field(default_factory=dict)
    # who wrote the articles, as the Hub's ``language_creators`` (found: published text collected)
    language_creators: tuple[str, ...] = ("found",)
    # the pre-annotator, the majority class and the annotators scored against gold per split
    baselines: Baselines | None = None
    # rows per parquet shard: the files of each config's split follow from its row count
    shard_rows: int = SHARD_ROWS
    # the newest annotation's date (croissant.json's datePublished), when the exports carry dates
    date_published: str | None = None
    # the project's name (``[project] name``): the card's title, Croissant's name, the citation's
    # key; None (no project): stancebank's, the spec's title
    name: str | None = None

    def files(self, config: str, split: str) -> list[str]:
        """The parquet files of a config's split: none for a split without rows, one empty file
        for the one split of a config without any row (:func:`file_splits`)."""
        rows = self.counts.get(config, {})
        if split not in file_splits(rows):
            return []
        return parquet_relpaths(config, split, rows.get(split, 0), self.shard_rows)


# the dataset's name when no project names it
DEFAULT_NAME = "stancebank"
# a name that can stand as the NAME of a placeholder ORG/NAME repository id
_REPO_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def dataset_name(inp: CardInputs) -> str:
    """The dataset's name: the project's (``[project] name``), else ``stancebank``."""
    return inp.name or DEFAULT_NAME


def card_title(inp: CardInputs, spec: AnnotationSpec = SPEC) -> str:
    """The card's title and ``pretty_name``: the project's name, else the spec's title."""
    return inp.name or spec.title


def hub_repo(inp: CardInputs) -> str:
    """The repository the card's load snippets and links name: the project's ``hub_repo`` (or
    ``--repo``), else a placeholder ``ORG/<name>``."""
    if inp.repo_id:
        return inp.repo_id
    name = dataset_name(inp)
    return f"ORG/{name if _REPO_NAME.fullmatch(name) else DEFAULT_NAME}"


# A dataset repository's page on the Hub: the card's Homepage and citation and croissant.json's
# ``url`` (dataset_url); `export publish` reads the repository back from it (repo_of_dataset_url).
HUB_DATASETS_PAGE = "https://huggingface.co/datasets/"


def dataset_url(inp: CardInputs) -> str:
    """The Hub page of the dataset (of a placeholder repository when none is given)."""
    return f"{HUB_DATASETS_PAGE}{hub_repo(inp)}"


def repo_of_dataset_url(url: object) -> str | None:
    """The repository a :func:`dataset_url` names; None for anything else."""
    if isinstance(url, str) and url.startswith(HUB_DATASETS_PAGE):
        return url[len(HUB_DATASETS_PAGE) :]
    return None


def citation(inp: CardInputs, spec: AnnotationSpec = SPEC) -> str:
    """The BibTeX entry of the release (the card's Citation and Croissant's ``citeAs``)."""
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", dataset_name(inp)).strip("-") or DEFAULT_NAME
    return (
        f"@misc{{{key},\n"
        f"  title = {{{card_title(inp, spec)}}},\n  note = {{Version {inp.version}}},\n"
        f"  howpublished = {{\\url{{{dataset_url(inp)}}}}}\n}}"
    )


# The Hub's task ids: the stance of a claim towards a target is a three-way classification; actor,
# claim and target spans are a span labelling like named entities.
TASK_IDS = ("multi-class-classification", "named-entity-recognition")
# the Hub's language_creators values
LANGUAGE_CREATORS = ("found", "expert-generated", "crowdsourced", "machine-generated", "other")


def check_language_creators(value: str) -> tuple[str, ...]:
    """``"found,expert-generated"`` → the Hub's ``language_creators``; an
    :class:`~stancebank.export.errors.ExportUsageError` (exit 2) naming the allowed values otherwise."""
    names = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    unknown = [n for n in names if n not in LANGUAGE_CREATORS]
    if not names or unknown:
        raise ExportUsageError(
            f"--language-creators {value!r}: {', '.join(unknown) or 'empty'} is not a Hub value; use "
            f"one or more of {', '.join(LANGUAGE_CREATORS)}, comma-separated"
        )
    return names


def annotations_creators(inp: CardInputs) -> list[str]:
    """People annotated every release; a model too when gold spans show its pre-annotation."""
    return ["expert-generated", "machine-generated"] if machine_annotated(inp) else ["expert-generated"]


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


def _collection(inp: CardInputs) -> str:
    """How the articles came to be, from ``language_creators``."""
    how = {
        "found": "published news text collected by the project",
        "expert-generated": "news-style articles written for the project by its maintainers",
        "crowdsourced": "articles written by crowd workers",
        "machine-generated": "articles generated by a model",
        "other": "articles of another origin",
    }
    origins = "; ".join(how.get(c, c) for c in inp.language_creators)
    return (
        f"Articles: {origins} (language_creators: {', '.join(inp.language_creators)}). See the "
        "Dataset Description for their source and license."
    )


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
        "dataCollection": _collection(inp),
        "dataAnnotationProtocol": protocol,
        "dataAnnotationPlatform": "Label Studio",
        "annotationsPerItem": annotators_per_item(inp),
        "annotatorDemographics": "Not recorded. Annotators appear only as keyed pseudonyms.",
        "personalSensitiveInformation": "Actor spans and actor names hold the speakers as the articles "
        "name them, people among them (in news, mostly public figures); the release adds no other personal "
        "data. Where the articles come from, and whether the people in them are real, is the Dataset "
        "Description's to say. Annotators are published only as keyed-hash pseudonyms, never names or "
        "emails.",
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


def dataset_info_yaml(
    features: Mapping[str, Features],
    counts: Mapping[str, Mapping[str, int]],
    num_bytes: Mapping[str, Mapping[str, int]],
) -> list[dict[str, Any]]:
    """The card's ``dataset_info`` list (features, splits, sizes per config), written by
    ``datasets``' public :meth:`DatasetInfosDict.to_dataset_card_data` so ``load_dataset`` reads it
    back exactly; a config without rows has its one empty split (:func:`file_splits`)."""
    infos = DatasetInfosDict()
    for config in CONFIGS:
        rows, sizes = counts.get(config, {}), num_bytes.get(config, {})
        splits = file_splits(rows)
        split_dict = SplitDict()
        for s in splits:
            split_dict.add(SplitInfo(name=s, num_bytes=sizes.get(s, 0), num_examples=rows.get(s, 0)))
        infos[config] = DatasetInfo(
            features=features[config],
            splits=split_dict,
            dataset_size=sum(sizes.get(s, 0) for s in splits),
        )
    card_data = DatasetCardData()
    infos.to_dataset_card_data(card_data)
    value: Any = card_data.get("dataset_info", [])
    listed: list[dict[str, Any]] = [value] if isinstance(value, dict) else list(value)
    order = {c: i for i, c in enumerate(CONFIGS)}
    # one entry: datasets leaves out a "default" config name; ours always has its name
    for entry, config in zip(listed, [c for c in CONFIGS if c in infos], strict=False):
        entry.setdefault("config_name", config)
    return sorted(listed, key=lambda e: order.get(str(e.get("config_name")), len(order)))


def _metadata(inp: CardInputs, spec: AnnotationSpec) -> dict[str, Any]:
    configs: list[dict[str, Any]] = []
    for config in CONFIGS:
        splits = file_splits(inp.counts.get(config, {}))
        entry: dict[str, Any] = {"config_name": config}
        if config == DEFAULT_CONFIG:
            entry["default"] = True
        entry["data_files"] = [
            {"split": s, "path": files[0] if len(files) == 1 else files}
            for s in splits
            for files in [inp.files(config, s)]
        ]
        configs.append(entry)
    infos = dataset_info_yaml(dataset_features(spec), inp.counts, inp.num_bytes)
    largest = max((sum(inp.counts.get(c, {}).values()) for c in CONFIGS), default=0)
    meta: dict[str, Any] = {"pretty_name": card_title(inp, spec), "license": inp.license}
    if inp.license == "other":
        if inp.license_name:
            meta["license_name"] = inp.license_name
        if inp.license_link:
            meta["license_link"] = inp.license_link
    if inp.languages:  # no language tag when no article states one
        meta["language"] = [check_language(x, "card metadata") for x in inp.languages]
        meta["multilinguality"] = "monolingual" if len(inp.languages) == 1 else "multilingual"
    meta.update(
        {
            "annotations_creators": annotations_creators(inp),
            "language_creators": list(inp.language_creators),
            "source_datasets": ["original"],
            "task_categories": ["token-classification", "text-classification"],
            "task_ids": list(TASK_IDS),
            "size_categories": [size_category(largest)],
            "tags": ["stance-detection", "quotation-attribution", "relation-extraction", "news"],
            "configs": configs,
            "dataset_info": infos,
        }
    )
    return meta


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# the variable each config is loaded into in the card's "How to load"
LOAD_NAMES = (
    ("docs", "documents"),
    ("claims", "claims"),
    ("stance", "stance"),
    ("annotations", "annotations"),
)


def _listing(items: list[str]) -> str:
    """```a`, `b` and `c``"""
    names = [f"`{x}`" for x in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _waiting(inp: CardInputs) -> str:
    """The annotated articles that have not reached gold, by reason: "5 articles are waiting for
    review (status `conflict` in `annotations`)"."""
    conflict, fewer = inp.adjudication.get("conflict", 0), inp.adjudication.get("insufficient", 0)
    parts = []
    if conflict:
        are = "is" if conflict == 1 else "are"
        parts.append(
            f"{conflict} article{'' if conflict == 1 else 's'} {are} waiting for review (status "
            "`conflict` in `annotations`)"
        )
    if fewer:
        are = "is" if fewer == 1 else "are"
        parts.append(
            f"{fewer} article{'' if fewer == 1 else 's'} {are} waiting for more annotators (status "
            "`insufficient` in `annotations`)"
        )
    return " and ".join(parts) or "no annotated article is waiting for adjudication"


def _empty_configs(inp: CardInputs) -> list[str]:
    """The configs without any row in this version (each is one empty file: :func:`file_splits`)."""
    return [c for c in CONFIGS if not any(inp.counts.get(c, {}).values())]


def _empty_configs_note(inp: CardInputs, repo: str) -> str:
    """Why the configs without rows have none, and how they load."""
    empty = _empty_configs(inp)
    if not empty:
        return ""
    if "annotations" in empty:
        why = "no article has been annotated yet"
    elif DEFAULT_CONFIG in empty:
        why = f"no article has reached gold yet — {_waiting(inp)}"
    elif "claims" in empty:
        why = "no gold article has a claim"
    else:
        why = "no gold claim has a stance towards a target"
    one = len(empty) == 1
    first = empty[0]
    return (
        f" {_listing(empty)} {'has' if one else 'have'} no rows in this version: {why}. "
        f"{'It is' if one else 'Each is'} one empty `{EMPTY_CONFIG_SPLIT}` file with its exact "
        "features (in the metadata above), so every config exists with its types. `datasets` cannot "
        f'load a split without rows: `load_dataset("{repo}", "{first}")` raises `Instruction '
        f'"{EMPTY_CONFIG_SPLIT}" corresponds to no data!`, while `load_dataset("{repo}", "{first}", '
        "streaming=True)` gives the features and no row."
    )


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
    annotated = inp.annotated_per_split
    if not short and any(annotated.get(s, 0) != docs.get(s, 0) for s in SPLITS if annotated):
        # documents hold the gold articles; annotations every annotated article of the split
        note = (
            "Splits (gold articles, the rows of `documents`, `claims` and `stance`): "
            + "; ".join(parts)
            + ". With the annotated articles not (yet) in gold, whose rows are in `annotations` only, "
            + "the splits hold "
            + "; ".join(f"{split}: {annotated.get(split, 0)}" for split in SPLITS)
            + " annotated articles."
        )
    empty = [s for s in SPLITS if not docs.get(s, 0)]
    present = [f"`{s}`" for s in SPLITS if docs.get(s, 0)]
    if not present and short:
        note += (
            f" No article has reached gold yet: {_waiting(inp)}. A config without rows loads with "
            "`streaming=True` (see Data Splits)."
        )
    elif empty and short:
        note += f" `load_dataset` returns {' and '.join(present)} (see Data Splits)."
    elif empty:
        annotated = inp.counts.get("annotations", {})
        pending = [s for s in empty if annotated.get(s, 0)]
        unassigned = [s for s in empty if not annotated.get(s, 0)]
        if pending:
            one = len(pending) == 1
            note += (
                f" The {_listing(pending)} split{'' if one else 's'} {'has' if one else 'have'} no gold "
                f"article yet: {'its' if one else 'their'} articles are annotated (in `annotations`) "
                "but none has reached gold" + (f"; in all, {_waiting(inp)}." if present else " (below).")
            )
        if unassigned:
            one = len(unassigned) == 1
            note += (
                f" The {_listing(unassigned)} split{'' if one else 's'} {'is' if one else 'are'} empty "
                f"in this version: no article has been assigned to {'it' if one else 'them'} yet (each "
                "cluster of near-duplicate articles shares one split, drawn 80/10/10 from a stable hash "
                "of the cluster's smallest article id, so small releases can leave one empty)."
            )
        if present:
            note += (
                " An empty split has no parquet file, so `load_dataset` returns only the other splits; "
                f"later versions add {_listing(empty)} articles as the corpus grows, and no article ever "
                "moves between splits."
            )
        else:  # no gold at all: how the configs without rows load is said below
            note += (
                " Later versions add gold articles as articles are adjudicated and the corpus grows, and "
                "no article ever moves between splits."
            )
    return note


def _items_section(inp: CardInputs) -> str:
    """The items of the articles adjudicated item by item, by outcome; said in words when there
    are none (the articles with two or more annotators all starred, or none with two)."""
    if not inp.adjudication_items:
        return ""
    what = (
        "\n\nAdjudication (items of the articles adjudicated item by item — two or more annotators "
        "and no ground-truth star that counts: spans with their attributes, and relations):"
    )
    if any(inp.adjudication_items.values()):
        rows = [[k, str(v)] for k, v in inp.adjudication_items.items()]
        return what + "\n\n" + _table(["outcome", "items"], rows)
    several = sum(n for k, n in inp.annotators_per_article.items() if k >= 2)
    return (
        "\n\nAdjudication by item: no article was adjudicated item by item in this version (that "
        "takes two or more annotators and no ground-truth star that counts); "
        + (
            f"the {several} article{'' if several == 1 else 's'} with two or more annotators "
            f"{'was' if several == 1 else 'were'} settled otherwise (see the table above)."
            if several
            else "no article has two or more annotators."
        )
    )


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
    table = _table([name, *stances, "total"], rows)
    if set(inp.target_stances) == {None}:
        table += (
            f"\n\nNo gold TARGET of this release has a `{name}` (the annotators gave none — e.g. the "
            "project had no target catalogue, or its exports predate the attribute), so its "
            "stances cannot be grouped by canonical target; `claims.target_text` and `stance.target` "
            "hold the targets as written."
        )
    return intro + table


def _license_text(inp: CardInputs) -> str:
    """The license as the card states it: its name and link for ``other``."""
    if inp.license != "other":
        return f"`{inp.license}` (see https://huggingface.co/docs/hub/repositories-licenses)."
    name = inp.license_name or "a custom license (no license_name given)"
    link = f" — {inp.license_link}" if inp.license_link else ""
    return f"{name}{link} (Hub license id `other`)."


# What each top-level field of each config holds (the attribute fields are described by the spec).
FIELD_DOCS: dict[str, dict[str, str]] = {
    "documents": {
        "article_id": "The article's id (the same in every config).",
        "title": "Title of the article, if known.",
        "text": "The cleaned article text every offset refers to (Unicode code points).",
        "url": "Where the article was published, if known.",
        "source": "Publisher or outlet, if known.",
        "published": "Publication date (ISO 8601) as given, if known.",
        "language": "BCP-47 language tag of the article, if stated.",
        "sentences": "The article's sentences as `start`/`end` offsets (a rule splitter: line breaks "
        "and sentence-final punctuation), in text order.",
        "spans": "Gold spans: `id` (stable across versions), `label`, `start`, `end`, `text` "
        "(= `text[start:end]`), `attributes` (null where an attribute does not apply) and `provenance` "
        "(`accepted`: a pre-annotation kept as it was; `edited`: a pre-annotation changed; `hand`: "
        "drawn by an annotator).",
        "relations": "Gold relations between span ids: `from_id`, `to_id`, `label`.",
        "num_annotators": "How many annotators annotated the article.",
    },
    "claims": {
        "article_id": "The article's id.",
        "claim_id": "Id of the claim span (as in `documents.spans`).",
        "claim_text": "The claim's text.",
        "claim_start": "Start offset of the claim in the article text.",
        "claim_end": "End offset of the claim in the article text.",
        "actor_id": "Id of the claim's speaker span (null when it has none).",
        "actor_text": "The speaker's text as written.",
        "target_id": "Id of the target span (null for a claim without a target).",
        "target_text": "The target's text as written.",
        "target_start": "Start offset of the target.",
        "target_end": "End offset of the target.",
        "stance": "The claim's stance towards the target (null without a target).",
        "language": "The article's language tag, if stated.",
        "sentence": "The claim's context: the sentence(s) it is in (`text[sentence_start:sentence_end]`).",
        "sentence_start": "Start offset of the context sentence(s).",
        "sentence_end": "End offset of the context sentence(s).",
    },
    "stance": {
        "article_id": "The article's id.",
        "claim_id": "Id of the claim span.",
        "target_id": "Id of the target span.",
        "claim": "The claim's text.",
        "target": "The target's text as written.",
        "canonical_target": "The target's canonical name from the project's catalogue (null if none).",
        "stance": "The claim's stance towards the target.",
        "context": "The sentence(s) the claim is in.",
        "language": "The article's language tag, if stated.",
    },
    "annotations": {
        "article_id": "The article's id.",
        "annotation_id": "Label Studio's annotation id.",
        "annotator": "The annotator's pseudonym (a keyed hash; never a name or e-mail).",
        "ground_truth": "Whether the annotation was marked ground truth in Label Studio.",
        "review": "Whether the annotation was made on a review task (a reviewer's verdict, not one "
        "more annotator; left out of agreement).",
        "status": "The article's adjudication status: `gold`, `conflict` (items wait for review) or "
        "`insufficient` (fewer annotators than the policy asks).",
        "gold_method": "How the article reached gold: `ground_truth`, `reviewer`, `majority`, `single`, "
        "or `pending` when it has not.",
        "text": "The article text the offsets refer to (pending articles are not in `documents`).",
        "spans": "The annotator's spans (Label Studio region ids); `gold_id` is the id of the gold span "
        "with the same label and offsets, when there is one.",
        "relations": "The annotator's relations.",
    },
}


def _type_name(feature: Any) -> str:
    if isinstance(feature, ClassLabel):
        return "class label: " + ", ".join(f"`{n}`" for n in feature.names)
    if isinstance(feature, Value):
        return f"`{feature.dtype}`"
    if isinstance(feature, List):
        return "list of " + _type_name(feature.feature)
    if isinstance(feature, dict):
        return "struct {" + ", ".join(feature) + "}"
    return type(feature).__name__


def field_meanings(spec: AnnotationSpec) -> dict[str, dict[str, str]]:
    """What each top-level field of each config holds: :data:`FIELD_DOCS`, else the spec's
    description of the attribute the field is (``claim_form``, ``actor_type`` … in ``claims``).
    The card's Data Fields and croissant.json's field descriptions both say this."""
    attrs = {a.name: a.description for a in spec.attributes}
    return {
        config: {name: FIELD_DOCS.get(config, {}).get(name) or attrs.get(name, "") for name in features}
        for config, features in dataset_features(spec).items()
    }


def _data_fields(spec: AnnotationSpec) -> str:
    """One table per config: every field with its type and meaning."""
    meanings = field_meanings(spec)
    out = []
    for config, features in dataset_features(spec).items():
        rows = [
            [f"`{name}`", _type_name(feature), meanings[config][name]] for name, feature in features.items()
        ]
        out.append(f"`{config}`:\n\n" + _table(["field", "type", "meaning"], rows) + "\n")
    return "\n".join(out)


def _dataset_creation(inp: CardInputs, spec: AnnotationSpec) -> str:
    """Source data, annotation process, annotators and personal information (the facts the
    Croissant file's Responsible-AI fields state too)."""
    rai = rai_facts(inp, spec)
    tools = rai.get("machineAnnotationTools")
    return (
        "## Dataset Creation\n\n### Source Data\n\n"
        + str(rai["dataCollection"])
        + "\n\n### Annotation process\n\n"
        + str(rai["dataAnnotationProtocol"])
        + (inp.policy_note or "")
        + (
            "\n\nPre-annotations came from: " + ", ".join(f"`{t}`" for t in tools) + "."
            if isinstance(tools, list) and tools
            else ""
        )
        + "\n\n### Who are the annotators?\n\n"
        + f"{rai['annotatorDemographics']!s} Annotations per article: {rai['annotationsPerItem']}."
        + "\n\n### Personal and Sensitive Information\n\n"
        + str(rai["personalSensitiveInformation"])
        + "\n"
    )


_BASELINE_METRICS: tuple[tuple[str, str], ...] = (
    ("articles", "articles"),
    ("speaker_accuracy", "speaker acc."),
    ("stance_pairs", "stance pairs"),
    ("stance_accuracy", "stance acc."),
    ("stance_macro_f1", "stance macro-F1"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _baselines_section(inp: CardInputs, spec: AnnotationSpec) -> str:
    """The pre-annotator, a majority-class stance baseline and the annotators (the human bound),
    each scored against gold per split."""
    base = inp.baselines
    head = "## Baselines and bounds\n\n"
    if base is None:
        return head + "Not computed for this release.\n"
    labels = [spec.role_label("actor"), spec.role_label("claim"), spec.role_label("target")]
    header = [
        "system",
        "split",
        "articles",
        *(f"{lab} F1" for lab in labels),
        *(t for _, t in _BASELINE_METRICS[1:]),
    ]
    rows = []
    for system in (PREANNOTATOR, MAJORITY, HUMAN):
        for split, scores in base.scores.get(system, {}).items():
            rows.append(
                [
                    system,
                    split,
                    _cell(scores.get("articles")),
                    *(_cell(scores.get(f"{lab}_f1")) for lab in labels),
                    *(_cell(scores.get(key)) for key, _ in _BASELINE_METRICS[1:]),
                ]
            )
    majority = f"`{base.majority_stance}`" if base.majority_stance else "none (no gold stance)"
    return (
        head + "Scored against gold per split, pooled over articles. Span F1: exact (label, start, end); "
        "speaker accuracy: gold claims with a speaker whose exact span the system attributes to an "
        "exact gold speaker; stance: over gold claim–target pairs (a missing prediction is wrong), "
        "macro-F1 over the stances present in gold.\n\n"
        f"- **{PREANNOTATOR}**: the predictions the Label Studio tasks carried, on the gold articles "
        "whose task had any. The predictions themselves are not in the release (each gold span's "
        "`provenance` says whether it was a prediction kept as it was, edited, or drawn by hand), so "
        "these rows can be reproduced from the export, not from the configs.\n"
        f"- **{MAJORITY}**: every pair labelled {majority}, the most frequent gold stance of the train "
        "split.\n"
        f"- **{HUMAN}**: each annotator's own annotation against gold, on gold articles with two or "
        "more annotators (the annotation that is itself gold left out). Majority gold is partly made "
        "of the scored annotations, so this bound is optimistic; with two annotators it is exactly what "
        "both drew, and each scores 1.000 on it by construction"
        + _by_construction(base)
        + ".\n\n"
        + (_table(header, rows) if rows else "No gold article to score.")
        + "\n"
    )


def _by_construction(base: Baselines) -> str:
    """How many of the human bound's articles score 1.000 by construction (majority gold of two)."""
    counts = base.human_by_construction
    if not counts:
        return ""
    scored = {s: int(v.get("articles") or 0) for s, v in base.scores.get(HUMAN, {}).items()}
    if all(counts.get(s, 0) == n for s, n in scored.items()):
        which = ", ".join(f"{counts[s]} {s}" for s in SPLITS if s in counts)
        here = f"all the scored articles, {which}: the rows below measure nothing more"
    else:
        here = "; ".join(
            f"{counts[s]} of the {scored.get(s, 0)} {s} article{'' if scored.get(s, 0) == 1 else 's'}"
            for s in SPLITS
            if s in counts
        )
    return (
        f" (here {here}). The bound is informative on articles settled by a ground-truth star, a "
        "reviewer or three or more annotators"
    )


def render_card(inp: CardInputs, spec: AnnotationSpec = SPEC) -> str:
    meta = yaml.safe_dump(_metadata(inp, spec), sort_keys=False, allow_unicode=True, width=1000)
    repo = hub_repo(inp)
    actor, claim, target = spec.role_label("actor"), spec.role_label("claim"), spec.role_label("target")
    title = card_title(inp, spec)
    # a project's name is the title; the spec's title, what the dataset is, its subtitle
    subtitle = f"\n*{spec.title}*\n" if title != spec.title else ""
    parts: list[str] = [f"---\n{meta}---\n", f"# {title} — v{inp.version}\n{subtitle}"]

    made = (
        "pre-annotated by a model and corrected by people"
        if machine_annotated(inp)
        else "drawn by people (no gold span comes from a model's pre-annotation)"
    )
    parts.append(
        "## Dataset Description\n\n"
        f"News articles annotated with spans of who says what about what: `{actor}` (the speaker), "
        f"`{claim}` (the statement attributed to them) and `{target}` (what the statement takes a "
        "stance on), linked by relations: an attribution relation from actor to claim and a stance "
        f"relation from claim to target. Annotations were made in Label Studio, {made}, then "
        f"adjudicated into gold. Schema version {spec.version}.\n"
        + (f"\n{inp.about.strip()}\n" if inp.about and inp.about.strip() else "")
        + "\n- **Language(s):** "
        + (", ".join(f"`{x}`" for x in inp.languages) if inp.languages else "not stated by any article")
        + f"\n- **License:** {_license_text(inp)}\n"
        + f"- **Homepage:** {dataset_url(inp)}\n"
    )
    parts.append(
        "## Uses\n\n### Direct Use\n\n"
        "Training and evaluating speaker attribution (who said it), claim detection and stance "
        "classification towards targets in news text: `documents` for span and relation models, "
        "`stance` for a claim–target stance classifier, `annotations` for studying disagreement.\n\n"
        "### Out-of-Scope Use\n\n"
        "Judging what real people or organisations think: the stances are those expressed in the "
        "articles' claims as annotated, not verified positions; conclusions about stance in the news "
        "at large from a sample this size.\n"
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
        "## Dataset Structure\n\n"
        "Configs: `documents` (default; one row per article with its `sentences` and gold `spans` "
        "— each with its `provenance` — and `relations`), `claims` (one row per claim–target pair; a "
        "claim without a target appears once with a null `stance`; with the article's `language` and "
        "the claim's context `sentence`), `stance` (the claim–target pairs with a stance, ready for a "
        "classifier: claim, target, canonical target, stance, context, language) and `annotations` "
        "(every annotator's annotation, disaggregated; annotators are pseudonyms). Every config names "
        "the article `article_id`. Offsets are Unicode code points into `text`; `text[start:end]` is "
        "the span text. "
        "Labels, relations, stances and choice attributes are `ClassLabel`s whose names are kept in "
        "the metadata above.\n\n### Span labels\n\n"
        + _table(["label", "definition", "attributes"], label_rows)
        + "\n\n### Relations\n\n"
        + _table(["relation", "from → to", "definition"], rel_rows)
        + "\n\n### Attributes\n\n"
        + _table(["attribute", "definition", "values"], attr_rows)
        + "\n\n### Data Fields\n\n"
        + _data_fields(spec)
        + "\n### Data Splits\n\n"
        + _splits_note(inp)
        + (
            ""
            if any(not inp.counts.get(DEFAULT_CONFIG, {}).get(sp, 0) for sp in SPLITS)
            else " Each cluster of near-duplicate articles shares one split (80/10/10 from a stable "
            "hash of the cluster's smallest article id), and an article never changes split."
        )
        + _empty_configs_note(inp, repo)
        + "\n\n"
        + _table(
            ["config", *SPLITS],
            [[c, *[str(inp.counts.get(c, {}).get(sp, 0)) for sp in SPLITS]] for c in CONFIGS],
        )
        + "\n"
    )

    empty = _empty_configs(inp)
    parts.append(
        "## How to load\n\n```python\nfrom datasets import load_dataset\n\n"
        + "".join(
            f'{var} = load_dataset("{repo}", "{config}", revision="v{inp.version}"'
            + (
                ", streaming=True)  # no rows in this version: the features only\n"
                if config in empty
                else ")\n"
            )
            for var, config in LOAD_NAMES
        )
        + "```\n\nPin `revision` to a version tag: `main` moves with every release. Splits are sticky: "
        "an article keeps its split in every later version.\n\n" + _splits_note(inp, short=True) + "\n"
    )

    stat_rows = [[f"`{k}`", str(v)] for k, v in inp.label_counts.items()]
    stat_rows += [[f"`{k}` (relation)", str(v)] for k, v in inp.relation_counts.items()]
    prov_rows = [[k, str(v)] for k, v in inp.provenance_counts.items()]
    adj_rows = [[k, str(v)] for k, v in inp.adjudication.items()]
    parts.append(
        "## Statistics\n\n"
        "Rows per config and split: see Data Splits above.\n\nGold spans and relations:\n\n"
        + _table(["item", "count"], stat_rows)
        + "\n\nProvenance of gold spans (against the model's pre-annotations):\n\n"
        + _table(["provenance", "spans"], prov_rows)
        + "\n\nAdjudication (articles):\n\n"
        + _table(["outcome", "articles"], adj_rows)
        + _items_section(inp)
        + "\n\n"
        + _target_stance_section(inp, spec)
        + "\n"
    )

    parts.append(_dataset_creation(inp, spec))

    parts.append(
        "## Annotation and agreement\n\n"
        f"Adjudication policy: {POLICY}{inp.policy_note}\n\n" + render_agreement(inp.agreement)
    )

    parts.append(_baselines_section(inp, spec))

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
        "## Bias, Risks, and Limitations\n\n"
        + (
            "- Where the articles come from and their license are stated in the Description above; "
            "check them before redistributing the text.\n"
            if inp.about and inp.about.strip()
            else "- Articles are news text from their publishers; their copyright stays with them. "
            "Check the license before redistributing the text.\n"
        )
        + (
            "- Pre-annotations by a small model may bias annotators towards the spans it proposed "
            "(see provenance above).\n"
            if machine_annotated(inp)
            else ""
        )
        + "- Articles with conflicting items are left out of `documents`, `claims` and `stance` until a "
        "reviewer adjudicates them (their annotations are in `annotations`, status `conflict`); gold is "
        "therefore biased towards easier articles.\n"
        "- Annotators are pseudonyms (a keyed hash); pseudonyms are stable across versions only while "
        "the project keeps its secret key.\n"
    )
    parts.append("## Licensing Information\n\n" + _license_text(inp) + "\n")
    parts.append("## Citation\n\n```bibtex\n" + citation(inp, spec) + "\n```\n")
    return "\n".join(parts)
