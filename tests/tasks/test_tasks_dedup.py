"""The duplicate rule of a build (tasks/dedup.py) as pure functions over batches: the same decisions
as the online, one-article-at-a-time rule (checked against an oracle built on the schema's
``NearDuplicateIndex``), whatever the batching, the subset passed (the involved articles only) and
the order the inputs are given in."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sbtest.corpus import near_copy, write_corpus

from stancebank.schema.neardup import NearDuplicateIndex, sketch
from stancebank.tasks.build import BuildOptions, Prepared, build_tasks, input_files, read_prepare
from stancebank.tasks.dedup import (
    Candidate,
    Decision,
    bucket_pairs,
    bucket_rows,
    involved,
    near_edges,
    resolve,
    sketch_texts,
    verify_pairs,
)


def _online(texts: list[str], cands: list[Candidate], keep_near: bool) -> list[Decision]:
    """The rule as ``tasks build`` ran it before it was split into stages: one article at a time
    against an index of the kept ones."""
    index = NearDuplicateIndex()
    ids: set[str] = set()
    by_text: dict[str, str] = {}
    out: list[Decision] = []
    for text, c in zip(texts, cands, strict=True):
        if c.article_id in ids:
            out.append(Decision(c.order, "duplicate", c.article_id, 1.0, False))
            continue
        if c.text_sha256 in by_text:
            out.append(Decision(c.order, "duplicate", by_text[c.text_sha256], 1.0, False))
            continue
        sk = sketch([text])
        near = index.find(sk)
        if near is not None:
            out.append(Decision(c.order, "near-duplicate", near[0], near[1], keep_near))
            if not keep_near:
                continue
        ids.add(c.article_id)
        by_text.setdefault(c.text_sha256, c.article_id)
        index.add(c.article_id, sk)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[Candidate]]:
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root, 120, seed=11, words=120)
    entries = read_prepare(enumerate(input_files([root])), None)
    ready = [(e.order, e.value) for e in entries if isinstance(e.value, Prepared)]
    texts = [p.article.text for _, p in ready]
    cands = [Candidate(o, p.article.article_id, p.article.text_sha256 or "", "x") for o, p in ready]
    return texts, cands


@pytest.mark.parametrize("keep_near", [False, True])
def test_resolve_equals_the_online_rule(corpus: tuple[list[str], list[Candidate]], keep_near: bool) -> None:
    texts, cands = corpus
    edges = near_edges([c.text_sha256 for c in cands], sketch_texts(texts))
    decisions = resolve(cands, edges, keep_near)
    assert decisions == _online(texts, cands, keep_near)
    kinds = {d.kind for d in decisions}
    assert kinds == {"duplicate", "near-duplicate"}  # the corpus plants both
    # only the involved articles matter: the others are kept and change nothing
    chosen = involved(cands, edges)
    assert len(chosen) < len(cands)
    assert resolve([c for c in cands if c.order in chosen], edges, keep_near) == decisions


Corpus = tuple[list[str], list[Candidate]]


def test_edges_do_not_depend_on_batching_or_bucket_grouping(corpus: Corpus) -> None:
    texts, cands = corpus
    hashes = [c.text_sha256 for c in cands]
    whole = sketch_texts(texts)
    one_by_one = [s for t in texts for s in sketch_texts([t])]
    assert whole == one_by_one
    # buckets grouped in a shuffled order, pairs found per bucket: the same edges
    rows = [row for h, s in zip(hashes, whole, strict=True) for row in bucket_rows(h, s)]
    random.Random(3).shuffle(rows)
    buckets: dict[tuple[int, int], list[str]] = {}
    for bucket, h in rows:
        buckets.setdefault(bucket, []).append(h)
    pairs = [p for members in buckets.values() for p in bucket_pairs(members)]
    assert verify_pairs(pairs, dict(zip(hashes, whole, strict=True))) == near_edges(hashes, whole)


def test_a_chain_keeps_its_ends_when_they_are_not_near_duplicates() -> None:
    """A ~ B and B ~ C but not A ~ C: B is left out as A's near-duplicate and C is compared with
    the kept articles only (A), so C is kept — not merged through B."""
    rng = random.Random(5)
    words = [f"w{rng.randrange(10**6)}" for _ in range(400)]
    a = " ".join(words)
    b_words = list(words)
    for k in (50, 250):
        b_words[k] += "x"
    b = " ".join(b_words)
    c_words = list(b_words)
    for k in (100, 200, 300):
        c_words[k] += "y"
    c = " ".join(c_words)
    texts = [a, b, c]
    hashes = ["ha", "hb", "hc"]
    edges = near_edges(hashes, sketch_texts(texts))
    linked = {(x, y) for x, y, _ in edges}
    assert ("ha", "hb") in linked and ("hb", "hc") in linked and ("ha", "hc") not in linked
    cands = [Candidate(i, f"id{i}", h, "x") for i, h in enumerate(hashes)]
    assert [(d.order, d.of) for d in resolve(cands, edges, False)] == [(1, "id0")]
    assert [(d.order, d.of) for d in resolve(cands, edges, True)] == [(1, "id0"), (2, "id1")]


def test_the_build_does_not_depend_on_the_order_inputs_are_given_in(tmp_path: Path) -> None:
    rng = random.Random(2)
    base = "Ministers met in Geneva. " + " ".join(f"word{rng.randrange(10**6)}" for _ in range(200))
    (tmp_path / "b.txt").write_text("Talks\n\n" + base, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Talks\n\n" + near_copy(rng, base), encoding="utf-8")
    (tmp_path / "c.txt").write_text("Talks\n\n" + base, encoding="utf-8")
    files = [tmp_path / n for n in ("c.txt", "b.txt", "a.txt")]
    options = BuildOptions(preannotate=False)
    one = build_tasks(files, options)
    other = build_tasks(list(reversed(files)), options)
    assert one.tasks == other.tasks and len(one.tasks) == 1
    assert one.tasks[0]["data"]["stancebank"]["origin_file"].endswith("a.txt")
    assert [s.to_json() for s in one.skipped] == [s.to_json() for s in other.skipped]
    # c.txt has b.txt's text, but b.txt was left out: c.txt is compared with the kept a.txt
    kept_id = one.tasks[0]["data"]["article_id"]
    assert [(s.kind, s.of) for s in one.skipped] == [("near-duplicate", kept_id)] * 2
