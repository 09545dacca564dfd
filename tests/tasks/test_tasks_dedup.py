"""The duplicate rule of a build (tasks/dedup.py) as pure functions over batches: the same decisions
as the online, one-article-at-a-time rule (checked against an oracle built on the schema's
``NearDuplicateIndex``), whatever the batching, the subset passed (the involved articles only) and
the order the inputs are given in."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from sbtest.corpus import near_copy, write_corpus
from sbtest.dedup import involved_by_brute_force

from stancebank.schema.neardup import NearDuplicateIndex, sketch
from stancebank.tasks.build import BuildOptions, Prepared, build_tasks, input_files, read_prepare
from stancebank.tasks.dedup import (
    Candidate,
    Decision,
    bucket_entries,
    near_edges,
    resolve,
    resolve_in_order,
    sharing_a_bucket,
    sketch_texts,
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
    edges = near_edges(cands, sketch_texts(texts))
    decisions = resolve(cands, edges, keep_near)
    assert decisions == _online(texts, cands, keep_near)
    kinds = {d.kind for d in decisions}
    assert kinds == {"duplicate", "near-duplicate"}  # the corpus plants both
    # the one-process form (what the local engine runs) decides the same, whatever the input order
    sketches = sketch_texts(texts)
    assert resolve_in_order(cands, sketches, keep_near) == decisions
    # only the involved articles matter: the others are kept and change nothing
    chosen = set(sharing_a_bucket(bucket_entries(cands, sketches)).tolist())
    assert len(chosen) < len(cands)
    subset = [i for i, c in enumerate(cands) if c.order in chosen]
    assert resolve([cands[i] for i in subset], edges, keep_near) == decisions
    assert resolve_in_order([cands[i] for i in subset], [sketches[i] for i in subset], keep_near) == decisions
    shuffled = list(range(len(cands)))
    random.Random(3).shuffle(shuffled)
    reordered = resolve_in_order([cands[i] for i in shuffled], [sketches[i] for i in shuffled], keep_near)
    assert reordered == decisions


Corpus = tuple[list[str], list[Candidate]]


@pytest.mark.parametrize("parts", [1, 2, 7])
def test_the_involved_articles_do_not_depend_on_batching_or_bucket_grouping(
    corpus: Corpus, parts: int
) -> None:
    """What a distributed engine does: articles scattered over blocks at random, each block's
    bucket entries split by key into partitions, each partition's pieces gathered from every block
    — the union of the partitions' involved articles is the brute-force set, and it holds every
    article of an edge and of a shared id or text."""
    texts, cands = corpus
    whole = sketch_texts(texts)
    one_by_one = [s for t in texts for s in sketch_texts([t])]
    assert whole == one_by_one
    rng = random.Random(parts)
    scattered = list(range(len(cands)))
    rng.shuffle(scattered)
    blocks = [scattered[k::3] for k in range(3)]
    entries = [bucket_entries([cands[i] for i in block], [whole[i] for i in block]) for block in blocks]
    found: set[int] = set()
    for p in range(parts):
        gathered = [e[e[:, 1] % np.uint64(parts) == p] for e in entries]
        rng.shuffle(gathered)
        found.update(sharing_a_bucket(np.concatenate(gathered)).tolist())
    assert found == involved_by_brute_force(cands, whole)
    assert len(found) < len(cands)
    linked = {h for a, b, _ in near_edges(cands, whole) for h in (a, b)}
    assert len(linked) > 5
    assert {c.order for c in cands if c.text_sha256 in linked} <= found


def test_an_article_is_involved_by_any_bucket_it_shares() -> None:
    """A text without a word has no band key: its copy is found by the text bucket; a reused id by
    the id bucket; two one-word-apart texts by a band bucket; an article sharing nothing is not
    involved."""
    rng = random.Random(6)
    words = [f"w{rng.randrange(10**6)}" for _ in range(300)]
    other = " ".join([*words[:-1], "changed"])
    texts = ["...", "...", " ".join(words), other, "alpha beta gamma", "delta epsilon zeta", "eta theta"]
    ids = ["a", "b", "c", "d", "e", "e", "f"]
    cands = [Candidate(i, ids[i], f"h{texts.index(t)}", "x") for i, t in enumerate(texts)]
    sketches = sketch_texts(texts)
    assert not sketches[0].keys and near_edges(cands, sketches)
    assert sharing_a_bucket(bucket_entries(cands, sketches)).tolist() == [0, 1, 2, 3, 4, 5]
    assert involved_by_brute_force(cands, sketches) == {0, 1, 2, 3, 4, 5}


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
    cands = [Candidate(i, f"id{i}", h, "x") for i, h in enumerate(hashes)]
    edges = near_edges(cands, sketch_texts(texts))
    linked = {(x, y) for x, y, _ in edges}
    assert ("ha", "hb") in linked and ("hb", "hc") in linked and ("ha", "hc") not in linked
    assert [(d.order, d.of) for d in resolve(cands, edges, False)] == [(1, "id0")]
    assert [(d.order, d.of) for d in resolve(cands, edges, True)] == [(1, "id0"), (2, "id1")]
    sketches = sketch_texts(texts)
    assert [(d.order, d.of) for d in resolve_in_order(cands, sketches, False)] == [(1, "id0")]
    assert [(d.order, d.of) for d in resolve_in_order(cands, sketches, True)] == [(1, "id0"), (2, "id1")]


def test_templated_copies_are_each_compared_with_the_kept_texts_only() -> None:
    """Many one-word-apart copies of a template (and a second template, repeated ids and texts,
    and a text with no word): the one-process rule names each copy after the most similar kept
    article, exactly as :func:`resolve` over every edge does."""
    rng = random.Random(8)
    templates = [[f"w{rng.randrange(10**6)}" for _ in range(300)] for _ in range(2)]
    texts: list[str] = []
    for n in range(240):
        words = list(templates[n % 2])
        words[rng.randrange(300)] = f"copy{n}"
        if n % 7 == 0:
            words[rng.randrange(300)] = f"more{n}"
        texts.append(" ".join(words))
    texts[10] = texts[4]  # the same text twice
    texts[30] = "..."  # no word: nobody's near-duplicate
    cands = [Candidate(n, f"id{n % 230}", f"h{texts.index(t)}", "x") for n, t in enumerate(texts)]
    sketches = sketch_texts(texts)
    decisions = resolve_in_order(cands, sketches, False)
    assert decisions == resolve(cands, near_edges(cands, sketches), False)
    near = [d for d in decisions if d.kind == "near-duplicate"]
    assert {"id0", "id1"} <= {d.of for d in near} and len(near) > 150
    # an id or a text repeats a *kept* article's only for id0 and id1 (articles 230 and 231); the
    # other repeats are of articles left out, so they are compared as texts like any other copy
    assert [d.order for d in decisions if d.kind == "duplicate"] == [230, 231]


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
