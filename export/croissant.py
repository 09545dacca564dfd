"""``croissant.json``: the release described in Croissant 1.0 with its Responsible-AI fields.

Generated from the same facts as the dataset card (the configs' ``datasets.Features``, the
release's files and their sha256, counts, license, annotation process), so the two cannot
disagree. Every parquet file is a ``cr:FileObject`` with its hash; each config is a record set
whose fields extract the parquet columns (lists of structs as repeated fields with sub-fields),
plus a split record set (``cr:Split``) per config. ``mlcroissant`` validates it in the tests and
reads its records from a local release folder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from datasets import ClassLabel, Features, List, Value

from stancebank.schema.layout import CROISSANT

CROISSANT_FILE = CROISSANT
REPO_ID = "repo"
"""The id of the FileObject that stands for the release; map it to a folder to read locally:
``mlcroissant.Dataset(path, mapping={"repo": release_folder})``."""
CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
RAI_CONFORMS_TO = "http://mlcommons.org/croissant/RAI/1.0"

# The JSON-LD context every Croissant 1.0 file carries (from the specification), with the two
# terms mlcroissant 1.1 counts as standard too (equivalentProperty, samplingRate: without them
# it warns that the context "is not standard").
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

_SPLIT_URLS = {"train": "cr:TrainingSplit", "validation": "cr:ValidationSplit", "test": "cr:TestSplit"}
_VALUE_TYPES = {
    "string": "sc:Text",
    "large_string": "sc:Text",
    "bool": "sc:Boolean",
    "float32": "sc:Float",
    "float64": "sc:Float",
}


@dataclass(frozen=True)
class CroissantFacts:
    """What the Croissant file states; the card is written from the same facts."""

    name: str
    version: str
    description: str
    license: str
    url: str
    cite_as: str
    date_published: str | None
    features: Mapping[str, Features]
    # config -> split -> relative parquet paths; path -> sha256 (the manifest's hashes)
    files: Mapping[str, Mapping[str, Sequence[str]]]
    sha256: Mapping[str, str]
    keywords: Sequence[str] = ()
    languages: Sequence[str] = ()
    # config -> top-level field -> its meaning (the card's Data Fields)
    descriptions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Responsible-AI facts (Croissant RAI 1.0), each a sentence or a short paragraph.
    rai: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


def _data_type(feature: Value | ClassLabel) -> str:
    if isinstance(feature, ClassLabel):
        return "sc:Integer"
    if feature.dtype.startswith(("int", "uint")):
        return "sc:Integer"
    try:
        return _VALUE_TYPES[feature.dtype]
    except KeyError:
        raise ValueError(f"no Croissant data type for the feature dtype {feature.dtype!r}") from None


def _describe(name: str, feature: Any, meaning: str | None = None) -> str:
    head = f"{name}: {meaning}" if meaning else f"{name}."
    if isinstance(feature, ClassLabel):
        names = ", ".join(f"{i}={n}" for i, n in enumerate(feature.names))
        return f"{head} A class label ({names})." if meaning else f"{name}: a class label ({names})."
    return head


def _fields(
    record: str,
    prefix: str,
    features: Mapping[str, Any],
    fileset: str,
    column: str | None,
    json_path: str | None,
    meanings: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Croissant fields for a mapping of features; nested mappings and lists become sub-fields
    that read the top-level parquet column through a JSON path."""
    out: list[dict[str, Any]] = []
    for name, feature in features.items():
        field_id = f"{record}/{prefix}{name}"
        col = column or name
        path = f"{json_path}.{name}" if json_path else (name if column else None)
        entry: dict[str, Any] = {
            "@type": "cr:Field",
            "@id": field_id,
            "name": field_id,
            "description": _describe(name, feature, (meanings or {}).get(name)),
        }
        inner: Any = feature
        if isinstance(feature, List):
            entry["repeated"] = True
            inner = feature.feature
        if isinstance(inner, Mapping) and column is not None:
            # a struct inside a list item: its fields join the item's sub-fields (JSON path a.b);
            # Croissant readers do not nest records below a repeated field's item
            out.extend(_fields(record, f"{prefix}{name}/", inner, fileset, col, path))
            continue
        if isinstance(inner, Mapping):
            entry["subField"] = _fields(record, f"{prefix}{name}/", inner, fileset, col, path)
        else:
            entry["dataType"] = _data_type(inner)
            source: dict[str, Any] = {"fileSet": {"@id": fileset}, "extract": {"column": col}}
            if path:
                source["transform"] = {"jsonPath": path}
            entry["source"] = source
        out.append(entry)
    return out


def build_croissant(facts: CroissantFacts) -> dict[str, Any]:
    """The Croissant JSON-LD document of a release (a dict ready for ``json.dumps``)."""
    distribution: list[dict[str, Any]] = [
        {
            "@type": "cr:FileObject",
            "@id": REPO_ID,
            "name": REPO_ID,
            "description": "The dataset repository at this release's tag (a release folder locally).",
            "contentUrl": facts.url,
            "encodingFormat": "git+https",
            "sha256": "main",
        }
    ]
    files: list[dict[str, Any]] = []
    record_sets: list[dict[str, Any]] = []
    for config, splits in facts.files.items():
        paths = [p for split in splits.values() for p in split]
        if not paths:
            continue
        fileset = f"{config}-parquet-files"
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": fileset,
                "name": fileset,
                "description": f"The parquet files of the {config} config, one or more per split.",
                "containedIn": {"@id": REPO_ID},
                "encodingFormat": "application/x-parquet",
                "includes": f"data/{config}/*.parquet",
            }
        )
        for path in paths:
            files.append(
                {
                    "@type": "cr:FileObject",
                    "@id": path,
                    "name": path,
                    "description": f"A parquet file of the {config} config (its sha256 is checked).",
                    "contentUrl": path,
                    "containedIn": {"@id": REPO_ID},
                    "encodingFormat": "application/x-parquet",
                    "sha256": facts.sha256[path],
                }
            )
        split_set = f"{config}_splits"
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": split_set,
                "name": split_set,
                "description": f"The splits of the {config} config.",
                "dataType": "cr:Split",
                "key": {"@id": f"{split_set}/split_name"},
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": f"{split_set}/split_name",
                        "name": f"{split_set}/split_name",
                        "description": "The name of the split.",
                        "dataType": "sc:Text",
                    },
                    {
                        "@type": "cr:Field",
                        "@id": f"{split_set}/split_url",
                        "name": f"{split_set}/split_url",
                        "description": "The Croissant type of the split.",
                        "dataType": "sc:Text",
                    },
                ],
                "data": [
                    {f"{split_set}/split_name": s, f"{split_set}/split_url": _SPLIT_URLS[s]}
                    for s in splits
                    if splits[s]
                ],
            }
        )
        split_field = {
            "@type": "cr:Field",
            "@id": f"{config}/split",
            "name": f"{config}/split",
            "description": "The split the row belongs to.",
            "dataType": "sc:Text",
            "references": {"field": {"@id": f"{split_set}/split_name"}},
            "source": {
                "fileSet": {"@id": fileset},
                "extract": {"fileProperty": "fullpath"},
                # the split of a file's path; a split name alone matches too: mlcroissant applies
                # the transform again to the value it joins with the splits record set (without
                # this, one "Could not match" warning per record)
                "transform": {"regex": rf"^(?:(?:.*/)?data/{config}/)?(\w+?)(?:-\d+-of-\d+\.parquet)?$"},
            },
        }
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": config,
                "name": config,
                "description": f"The {config} config (datasets.load_dataset(repo, {config!r})).",
                "field": [
                    split_field,
                    *_fields(
                        config,
                        "",
                        facts.features[config],
                        fileset,
                        None,
                        None,
                        facts.descriptions.get(config),
                    ),
                ],
            }
        )
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": facts.name,
        "description": facts.description,
        # Croissant 1.0 with its Responsible-AI vocabulary (the rai: fields below)
        "conformsTo": [CONFORMS_TO, RAI_CONFORMS_TO] if facts.rai else CONFORMS_TO,
        "citeAs": facts.cite_as,
        "license": facts.license,
        "url": facts.url,
        "version": facts.version,
        "keywords": list(facts.keywords),
        "distribution": distribution + files,
        "recordSet": record_sets,
    }
    if facts.languages:  # none when no article states its language
        document["inLanguage"] = list(facts.languages)
    if facts.date_published:
        document["datePublished"] = facts.date_published
    for key, value in facts.rai.items():
        document[f"rai:{key}"] = value if isinstance(value, str) else list(value)
    return document
