"""The one near-duplicate definition (schema/neardup.py): words, shingles, the pair rule, clusters."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stancebank.schema import neardup
from stancebank.schema.neardup import (
    NEAR_DUPLICATES,
    NearDuplicateIndex,
    clusters,
    is_near_duplicate,
    jaccard,
    sketch,
    sketch_each,
)

RNG = random.Random(5)
VOCAB = [f"w{i}" for i in range(500)] + ["Zürich", "café", "naïve", "Straße", "ﬁnal", "İstanbul", "x_y"]


def article(n: int = 200, rng: random.Random = RNG) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def change_words(text: str, every: int) -> str:
    """Replace every ``every``-th word (a lower ``every`` makes a less similar text)."""
    return " ".join("CHANGED" if i % every == every - 1 else w for i, w in enumerate(text.split()))


def reference_words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def reference_jaccard(a: str, b: str, k: int = NEAR_DUPLICATES.shingle_words) -> float:
    """The Jaccard similarity of word k-gram sets, on the words themselves (no hashing)."""

    def grams(t: str) -> set[tuple[str, ...]]:
        w = reference_words(t)
        return {tuple(w[i : i + k]) for i in range(len(w) - k + 1)} if len(w) >= k else {tuple(w)}

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y) if x and y and reference_words(a) and reference_words(b) else 0.0


def reference_hashes(text: str) -> list[int]:
    """The word hashes by their definition: Horner over the code points, mod 2**64."""
    out = []
    for word in reference_words(text):
        h = 0
        for ch in word:
            h = (h * 0x100000001B3 + ord(ch)) % 2**64
        out.append(h)
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8", exclude_categories=("Cs",)),
            st.sampled_from(list("ßẞﬁŉǰΐİK ſΣς _-1²½\x00")),
        ),
        max_size=60,
    )
)
def test_words_are_the_casefolded_word_characters(text: str) -> None:
    """Words are exactly ``re.findall(r"\\w+", text.casefold())`` (a NUL in a text separates words
    like any other non-word character), hashed by their definition."""
    hashes, text_of = neardup._words([text])
    assert hashes.tolist() == reference_hashes(text)
    assert (text_of == 0).all()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["", "a b", article(30)])), max_size=12
    )
)
def test_a_batch_sketches_each_text_as_alone(texts: list[str | None]) -> None:
    """Batching changes nothing: each text's shingles and signature are those it has on its own."""
    together = sketch(texts)
    for i, text in enumerate(texts):
        alone = sketch([text])
        assert np.array_equal(together.shingle_set(i), alone.shingle_set(0))
        assert np.array_equal(together.signatures[i], alone.signatures[0])
        assert np.array_equal(together.keys[i], alone.keys[0])
        hashes, owners = neardup._words(texts)
        assert hashes[owners == i].tolist() == reference_hashes(text or "")


def test_sketch_each_and_batches_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [article(RNG.randint(0, 300)) for _ in range(40)]
    whole = sketch(texts)
    monkeypatch.setattr(neardup, "_BATCH_CHARS", 700)  # many small batches, some of one long text
    small = sketch(texts)
    assert np.array_equal(whole.signatures, small.signatures)
    for i, (sk, j) in enumerate(sketch_each(texts)):
        assert np.array_equal(sk.signatures[j], whole.signatures[i])


def test_shingle_sets_match_word_grams() -> None:
    base = article(300)
    for other in (base, change_words(base, 40), change_words(base, 9), article(300), base.upper()):
        sk = sketch([base, other])
        assert jaccard(sk.shingle_set(0), sk.shingle_set(1)) == pytest.approx(reference_jaccard(base, other))
    short = sketch(["two words", "Two, WORDS!", "", "—…!"])
    assert short.shingle_set(0).size == 1 and np.array_equal(short.shingle_set(0), short.shingle_set(1))
    assert not short.has_shingles(2) and not short.has_shingles(3)


def test_pair_rule_follows_the_threshold() -> None:
    base = article(400)
    assert is_near_duplicate(base, base.upper() + " !")
    near = change_words(base, 60)  # about 1 word in 60: Jaccard ~0.85-0.9
    far = change_words(base, 10)
    assert reference_jaccard(base, far) < 0.6
    assert not is_near_duplicate(base, far)
    assert is_near_duplicate(base, near) == (reference_jaccard(base, near) >= NEAR_DUPLICATES.jaccard)
    assert is_near_duplicate(base, change_words(base, 200))  # Jaccard ~0.97
    assert not is_near_duplicate("", "") and not is_near_duplicate("!!", "??")


def components_of(n: int, joined: Callable[[int, int], bool]) -> list[int]:
    """Each of ``n`` items' component under ``joined`` (tried on every pair), named by its smallest index."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in itertools.combinations(range(n), 2):
        if joined(a, b):
            parent[max(find(a), find(b))] = min(find(a), find(b))
    return [find(i) for i in range(n)]


def brute_force_components(texts: list[str]) -> list[set[int]]:
    groups: dict[int, set[int]] = {}
    for i, root in enumerate(components_of(len(texts), lambda a, b: is_near_duplicate(texts[a], texts[b]))):
        groups.setdefault(root, set()).add(i)
    return sorted(groups.values(), key=min)


def planted(rng: random.Random, n: int = 24) -> list[str]:
    """Unrelated articles, near copies (chains of edits), exact copies, short and empty texts."""
    texts: list[str] = []
    for _ in range(n):
        roll = rng.random()
        if texts and roll < 0.3:
            texts.append(change_words(rng.choice(texts) or article(), rng.choice([50, 80, 150, 400])))
        elif texts and roll < 0.4:
            texts.append(rng.choice(texts))
        elif roll < 0.45:
            texts.append(rng.choice(["", "Short text", "short  TEXT", "!!"]))
        else:
            texts.append(article(rng.randint(5, 300), rng))
    return texts


@pytest.mark.parametrize("seed", range(4))
def test_clusters_are_the_components_of_the_pair_rule(seed: int) -> None:
    texts = planted(random.Random(seed))
    roots = clusters(texts).tolist()
    got: dict[int, set[int]] = {}
    for i, r in enumerate(roots):
        got.setdefault(r, set()).add(i)
        assert r == min(j for j, s in enumerate(roots) if s == r)  # named by the smallest index
    assert sorted(got.values(), key=min) == brute_force_components(texts)


@pytest.mark.parametrize("seed", range(4))
def test_a_subset_never_joins_what_the_whole_set_keeps_apart(seed: int) -> None:
    """A release holds a subset of the export's articles: its clusters are parts of the export's."""
    rng = random.Random(100 + seed)
    texts = planted(rng, 30)
    whole = clusters(texts).tolist()
    subset = sorted(rng.sample(range(len(texts)), 15))
    part = clusters([texts[i] for i in subset]).tolist()
    for a, b in itertools.combinations(range(len(subset)), 2):
        if part[a] == part[b]:
            assert whole[subset[a]] == whole[subset[b]]


@pytest.mark.parametrize("seed", range(4))
def test_groups_find_exactly_the_clusters_that_span_groups(seed: int) -> None:
    rng = random.Random(200 + seed)
    texts = planted(rng, 30)
    groups = [rng.choice(["train", "validation", "test"]) for _ in texts]
    whole = clusters(texts).tolist()
    spans_groups = {
        r for r in set(whole) if len({g for g, w in zip(groups, whole, strict=True) if w == r}) > 1
    }
    grouped = clusters(texts, groups=groups).tolist()
    flagged = {
        i for i, r in enumerate(grouped) if len({groups[j] for j, s in enumerate(grouped) if s == r}) > 1
    }
    assert flagged == {i for i, r in enumerate(whole) if r in spans_groups}
    with pytest.raises(ValueError, match="2 groups for 30 texts"):
        clusters(texts, groups=["a", "b"])


def test_index_finds_the_most_similar_earlier_text() -> None:
    base = article(400)
    closer, close, other = change_words(base, 300), change_words(base, 120), article(400)
    index = NearDuplicateIndex()
    for key, text in (("close", close), ("other", other), ("closer", closer)):
        index.add(key, sketch([text]))
    found = index.find(sketch([base]))
    assert found is not None and found[0] == "closer"
    assert found[1] == pytest.approx(reference_jaccard(base, closer))
    assert index.find(sketch([article(400)])) is None
    assert index.find(sketch(["—"])) is None


def test_signatures_are_the_same_in_another_process() -> None:
    """No ``hash()`` or per-process seed: another interpreter (another hash seed) agrees."""
    text = article(120)
    code = (
        "import sys; from stancebank.schema.neardup import sketch; "
        "print(sketch([sys.stdin.read()]).keys[0].tolist())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    )
    assert out.stdout.strip() == str(sketch([text]).keys[0].tolist())


def templated(rng: random.Random, i: int) -> str:
    """An article of ten template sentences that differ by a few words and the article's number:
    texts like these crowd LSH buckets with hundreds of texts that are not near-duplicates."""
    names, verbs = ["Anna Berg", "The ministry", "Acme Corp", "The mayor"], ["said", "argued", "warned"]
    targets = ["the new tariffs", "a ceasefire", "the bridge", "the budget"]
    return " ".join(
        f"{rng.choice(names)} {rng.choice(verbs)} that {rng.choice(targets)} would be a serious mistake "
        f"for the region and for everyone who lives and works there, according to reports from article {i}."
        for _ in range(10)
    )


def reference_clusters(texts: list[str], groups: list[str] | None = None) -> list[int]:
    """The components of the pair rule over every pair (from different groups), named by their
    smallest index: the result :func:`clusters` gives whatever the buckets' sizes."""
    sk = sketch(texts)

    def joined(a: int, b: int) -> bool:
        if groups is not None and groups[a] == groups[b]:
            return False
        if not (sk.has_shingles(a) and sk.has_shingles(b)) or not (sk.keys[a] == sk.keys[b]).any():
            return False
        return jaccard(sk.shingle_set(a), sk.shingle_set(b)) >= NEAR_DUPLICATES.jaccard

    return components_of(len(texts), joined)


@pytest.mark.parametrize("step", [7, 1000, 1 << 18])
def test_crowded_buckets_give_the_clusters_of_the_pair_rule(
    monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    """Hundreds of templated texts share buckets (and planted near copies among them): candidates
    are enumerated and verified a step at a time (a step may end inside a bucket), each pair once,
    and the clusters — with and without groups — are those of the pair rule over every pair."""
    rng = random.Random(11)
    texts = [templated(rng, i) for i in range(300)]
    for i in range(0, 300, 15):  # near copies: one number changed, or a sentence dropped
        source = texts[rng.randrange(300)]
        texts[i] = source.replace("article", "item", 1) if i % 2 else source.split(". ", 1)[1]
    sk = sketch(texts)
    crowded = max(int(np.unique(sk.keys[:, band], return_counts=True)[1].max()) for band in range(8))
    assert crowded >= 50  # buckets are crowded
    monkeypatch.setattr(neardup, "_PAIRS_PER_STEP", step)
    expected = reference_clusters(texts)
    assert len(set(expected)) < len(texts)  # some clusters
    assert clusters(texts).tolist() == expected
    groups = [rng.choice(["train", "validation", "test"]) for _ in texts]
    grouped = clusters(texts, groups=groups).tolist()
    assert grouped == reference_clusters(texts, groups)
    # every candidate is given once, in the first band two texts share a bucket in
    given = [
        (a, b)
        for first, second in neardup.first_band_pairs(sk.keys)
        for a, b in zip(first, second, strict=True)
    ]
    sharing = {
        (a, b) for a, b in itertools.combinations(range(len(texts)), 2) if (sk.keys[a] == sk.keys[b]).any()
    }
    assert len(given) == len(set(given)) and set(given) == sharing
    n = len(texts)
    codes = neardup.bucket_pairs(np.tile(np.arange(8), n), sk.keys.ravel(), np.repeat(np.arange(n), 8), n)
    assert codes.tolist() == sorted(a * n + b for a, b in sharing)


@pytest.mark.parametrize("step", [5, 100])
def test_a_tight_cluster_is_verified_about_once_per_text(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """Two hundred copies of one text, each with one word changed, are one cluster; a candidate
    whose texts were joined in an earlier step is not verified, so far fewer than the 19,900 pairs
    are (within one step the pairs are verified together)."""
    rng = random.Random(3)
    base = [f"w{rng.randrange(10**6)}" for _ in range(400)]
    texts = []
    for i in range(200):
        words = list(base)
        words[rng.randrange(400)] = f"x{i}"
        texts.append(" ".join(words))
    checked: list[int] = []
    verify = neardup.ShingleSets.near_duplicates

    def counting(
        self: neardup.ShingleSets,
        first: neardup.I64,
        second: neardup.I64,
        config: neardup.NearDuplicateConfig = NEAR_DUPLICATES,
    ) -> tuple[neardup.I64, list[float]]:
        checked.append(int(first.size))
        return verify(self, first, second, config)

    monkeypatch.setattr(neardup, "_PAIRS_PER_STEP", step)
    monkeypatch.setattr(neardup.ShingleSets, "near_duplicates", counting)
    assert clusters(texts).tolist() == [0] * 200
    assert 0 < sum(checked) <= 10 * len(texts)


def test_bin_counts_take_the_narrowest_type_that_holds_them() -> None:
    """A 600-word text has ~600 shingles but only a few dozen in any one bin: its counts are bytes."""
    rng = random.Random(4)
    texts = [" ".join(f"w{rng.randrange(10**6)}" for _ in range(600)) for _ in range(3)]
    sets = neardup.ShingleSets.of(*neardup._shingle_sets_of(texts, [0, 1, 2], NEAR_DUPLICATES))
    assert sets.bins.dtype == np.uint8
    assert int(sets.bins.sum()) == sum(int(n) for n in np.diff(sets.bounds))
