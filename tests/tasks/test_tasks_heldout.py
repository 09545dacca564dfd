"""The held-out evaluation set (data/heldout/) is valid gold on topics the package does not know.

Cheap checks only; the pre-annotator's figures on the set are printed by
tests/benchmarks/bench_tasks_quality.py, never asserted here (and never tuned on: see its README).
While a retired held-out set is being replaced (data/heldout/ holds its README only), the checks of
the held-out gold skip with that reason; the dev set's checks always run.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import pytest
from sbtest.heldout import (
    ARTICLES,
    CATALOGUE,
    DEV,
    DEV_CATALOGUE,
    GOLD,
    HeldoutError,
    HeldoutGold,
    heldout_present,
    load_catalogue,
    load_dev_gold,
    load_gold,
    parse_gold,
)

from stancebank.schema.spec import SPEC
from stancebank.tasks.build import BuildOptions, build_tasks
from stancebank.tasks.pilot import find_occurrence, match_task, resolve_annotation

REPO = Path(__file__).resolve().parents[2]
ACTOR = SPEC.role_label("actor")
CLAIM = SPEC.role_label("claim")
TARGET = SPEC.role_label("target")
SOURCE = SPEC.attribution_labels[0].name
STANCES = set(SPEC.stance_names)
QUOTE_OPENERS = "\"'“‘«"
# Anaphoric aliases ("the ban", "a charge") name a topic only inside its own project; the
# topic-independent resources may well contain such phrases, so they are left out of the check.
_ANAPHOR = re.compile(r"^(the|a|an|this|that) \w+$", re.IGNORECASE)

NO_HELDOUT = (
    "data/heldout/ has no gold or articles yet (the last set was retired to data/dev/, see its README)"
)
needs_heldout = pytest.mark.skipif(not heldout_present(), reason=NO_HELDOUT)


@pytest.fixture(scope="module")
def gold() -> HeldoutGold:
    if not heldout_present():
        pytest.skip(NO_HELDOUT)
    return load_gold()


def _phrase(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(word.casefold()) + r"(?!\w)")


def _resource_texts(root: Traversable, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for item in root.iterdir():
        name = f"{prefix}{item.name}"
        if item.is_dir():
            if item.name != "__pycache__":
                out.update(_resource_texts(item, f"{name}/"))
        elif not item.name.endswith((".pyc", ".pyo")):
            out[name] = item.read_bytes().decode("utf-8", errors="replace").casefold()
    return out


def test_the_set_has_at_least_twelve_articles_each_on_its_own_file(gold: HeldoutGold) -> None:
    files = [a.file for a in gold.articles]
    assert len(files) >= 12 and len(set(files)) == len(files)
    on_disk = sorted(p.name for p in ARTICLES.glob("*.txt"))
    assert sorted(files) == on_disk, "every article has gold and every gold entry has an article"


def test_every_span_text_equals_its_slice_and_its_occurrence(gold: HeldoutGold) -> None:
    wrong = []
    for article in gold.articles:
        text = gold.article_text(article)
        for annotation in article.annotations:
            for span in annotation.spans:
                start, end = gold.offsets[(article.file, span.id)]
                if text[start:end] != span.text:
                    wrong.append(f"{article.file} {span.id}: [{start}:{end}] is {text[start:end]!r}")
                elif find_occurrence(text, span.text, span.occurrence) != start:
                    wrong.append(f"{article.file} {span.id}: occurrence {span.occurrence} is not at {start}")
    assert not wrong, "\n".join(wrong)


def test_offsets_hold_in_the_task_text_the_build_makes(gold: HeldoutGold) -> None:
    """The cleaner keeps these clean articles as they are, so gold offsets are task offsets."""
    result = build_tasks([ARTICLES], BuildOptions(preannotate=False))
    assert not result.rejects and not result.skipped
    moved = []
    for article in gold.articles:
        task = match_task(article, result.tasks)
        spans, _ = resolve_annotation(article, article.annotations[0], task["data"]["text"])
        moved += [
            f"{article.file} {s.id}" for s in spans if (s.start, s.end) != gold.offsets[(article.file, s.id)]
        ]
    assert not moved, f"offsets differ in the task text: {moved}"


def test_relations_connect_existing_spans_of_the_right_labels(gold: HeldoutGold) -> None:
    problems = []
    for article in gold.articles:
        for annotation in article.annotations:
            labels = {s.id: s.label for s in annotation.spans}
            sources: Counter[str] = Counter()
            stances: Counter[str] = Counter()
            for rel in annotation.relations:
                ends = (labels.get(rel.from_id), labels.get(rel.to_id))
                if rel.label == SOURCE and ends == (ACTOR, CLAIM):
                    sources[rel.to_id] += 1
                    sources[rel.from_id] += 1
                elif rel.label in STANCES and ends == (CLAIM, TARGET):
                    stances[rel.to_id] += 1
                else:
                    problems.append(f"{article.file}: {rel.from_id} -{rel.label}-> {rel.to_id} joins {ends}")
            for span in annotation.spans:
                if span.label in (ACTOR, CLAIM) and not sources[span.id]:
                    problems.append(f"{article.file} {span.id}: {span.label} without a source relation")
                if span.label == TARGET and not stances[span.id]:
                    problems.append(f"{article.file} {span.id}: TARGET without a stance relation")
    assert not problems, "\n".join(problems)


def test_span_boundaries_follow_the_guidelines(gold: HeldoutGold) -> None:
    """Guidelines 6.1-6.3: no outer whitespace, no trailing . , ; :, direct claims inside quotes."""
    problems = []
    for article in gold.articles:
        text = gold.article_text(article)
        for span in article.annotations[0].spans:
            start, _ = gold.offsets[(article.file, span.id)]
            if span.text != span.text.strip() or span.text[-1] in ".,;:":
                problems.append(f"{article.file} {span.id}: boundary {span.text!r}")
            form = span.attributes.get("claim_form")
            if form == "direct" and (start == 0 or text[start - 1] not in QUOTE_OPENERS):
                problems.append(f"{article.file} {span.id}: a direct claim starts after a quotation mark")
            if form == "indirect" and any(q in span.text for q in '"“”«»'):
                problems.append(f"{article.file} {span.id}: an indirect claim holds a quotation mark")
    assert not problems, "\n".join(problems)


def test_every_target_name_is_a_catalogue_name_and_every_entry_is_used(gold: HeldoutGold) -> None:
    catalogue = load_catalogue()
    names = [t.name for t in catalogue]
    assert len(set(names)) == len(names), "catalogue names are unique"
    aliases = Counter(a.casefold() for t in catalogue for a in t.aliases)
    assert [a for a, n in aliases.items() if n > 1] == [], "each alias names one target"
    used = set(gold.target_names.values())
    targets = [s for a in gold.articles for s in a.annotations[0].spans if s.label == TARGET]
    assert len(gold.target_names) == len(targets)
    assert sorted(used - set(names)) == []
    assert sorted(set(names) - used) == [], "no catalogue entry without a gold TARGET"


@needs_heldout
def test_heldout_topics_are_absent_from_the_package_resources_and_the_dev_set() -> None:
    resource_texts = _resource_texts(resources.files("stancebank.tasks.resources"))
    assert resource_texts, "the package ships resource files"
    dev_texts = {
        p.name: p.read_bytes().decode("utf-8", errors="replace").casefold()
        for p in [
            *(REPO / "data" / "raw").iterdir(),
            REPO / "data" / "pilot" / "pilot.yaml",
            *(DEV / "articles").iterdir(),
            DEV / "gold.yaml",
            DEV_CATALOGUE,
        ]
        if p.is_file()
    }
    found = []
    for target in load_catalogue():
        words = [target.name, *(a for a in target.aliases if not _ANAPHOR.match(a))]
        for word in words:
            rx = _phrase(word)
            found += [f"{word!r} in tasks/resources/{n}" for n, t in resource_texts.items() if rx.search(t)]
        rx = _phrase(target.name)
        found += [f"{target.name!r} in data/{n}" for n, t in dev_texts.items() if rx.search(t)]
    assert not found, "held-out topics must stay unknown to the package and the dev set:\n" + "\n".join(found)


def test_dev_topics_are_absent_from_the_package_resources() -> None:
    """Rules may be tuned on data/dev/, but the package stays topic-independent: no dev topic (a
    catalogue name or a non-anaphoric alias) is written into tasks/resources/."""
    resource_texts = _resource_texts(resources.files("stancebank.tasks.resources"))
    found = []
    for target in load_catalogue(DEV_CATALOGUE):
        for word in [target.name, *(a for a in target.aliases if not _ANAPHOR.match(a))]:
            rx = _phrase(word)
            found += [f"{word!r} in tasks/resources/{n}" for n, t in resource_texts.items() if rx.search(t)]
    assert not found, "dev topics must stay out of the package's resources:\n" + "\n".join(found)


def test_the_dev_set_on_new_topics_is_valid_gold_in_the_same_format() -> None:
    """data/dev/ (tuning allowed, see its README) passes the same checks as the held-out set."""
    dev = load_dev_gold()
    assert len(dev.articles) >= 22, "ten dev articles and the twelve of the retired held-out set"
    assert sorted(a.file for a in dev.articles) == sorted(p.name for p in (DEV / "articles").glob("*.txt"))
    test_every_span_text_equals_its_slice_and_its_occurrence(dev)
    test_relations_connect_existing_spans_of_the_right_labels(dev)
    test_span_boundaries_follow_the_guidelines(dev)
    catalogue = load_catalogue(DEV_CATALOGUE)
    names = {t.name for t in catalogue}
    assert sorted(set(dev.target_names.values()) - names) == []
    aliases = Counter(a.casefold() for t in catalogue for a in t.aliases)
    assert [a for a, n in aliases.items() if n > 1] == [], "each alias names one target"
    result = build_tasks([DEV / "articles"], BuildOptions(preannotate=False))
    for article in dev.articles:
        spans, _ = resolve_annotation(
            article, article.annotations[0], match_task(article, result.tasks)["data"]["text"]
        )
        assert all((s.start, s.end) == dev.offsets[(article.file, s.id)] for s in spans), article.file


# -- the loaders refuse what they cannot read ---------------------------------------------------


def _one_article(span: dict[str, object]) -> dict[str, object]:
    return {
        "articles": [{"file": "x.txt", "annotations": {"annotator-a": {"spans": [span], "relations": []}}}]
    }


def test_gold_without_offsets_or_target_name_is_refused() -> None:
    target = {"id": "t1", "label": TARGET, "text": "the fee", "attributes": {"target_name": "fee"}}
    with pytest.raises(HeldoutError, match=r"x\.txt.*t1.*`start` and `end`"):
        parse_gold(_one_article(target))
    unnamed = {"id": "t1", "label": TARGET, "text": "the fee", "start": 0, "end": 7}
    with pytest.raises(HeldoutError, match=r"t1: a TARGET needs attributes\.target_name"):
        parse_gold(_one_article(unnamed))
    named = dict(unnamed, attributes={"target_name": "fee"})
    parsed = parse_gold(_one_article(named))
    assert parsed.offsets == {("x.txt", "t1"): (0, 7)} and parsed.target_names == {("x.txt", "t1"): "fee"}


def test_the_committed_files_are_where_the_readme_says() -> None:
    readme = (GOLD.parent / "README.md").read_text(encoding="utf-8")
    assert "Never tune a pre-annotation rule" in readme and "CC0-1.0" in readme
    if heldout_present():
        assert CATALOGUE.is_file() and GOLD.is_file()
