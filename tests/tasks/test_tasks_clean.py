"""The canonical-text cleaner: one test per boilerplate rule, on texts written to reproduce each
quirk of scraped news, plus the contract (NFC, \\n, whole lines, idempotence, audit, version)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from stancebank.tasks.clean import CLEANER_VERSION, clean, load_rules, normalize

HEAD = "Harbour council votes to raise ferry fares"
P1 = "The harbour council voted on Monday to raise ferry fares by a tenth from next spring."
P2 = "Opposition members said the increase would hurt island families who rely on the boats."


def _rules(text: str) -> dict[str, list[str]]:
    return {rule: [r.text for r in rs] for rule, rs in clean(text).removed_by_rule().items()}


def test_skip_link() -> None:
    out = clean(f"Skip to main content\n\n{HEAD}\n\n{P1}")
    assert out.text == f"{HEAD}\n\n{P1}"
    assert _rules(f"Skip to content\n{HEAD}\n{P1}") == {"skip-link": ["Skip to content"]}


def test_headline_repeated_as_a_line() -> None:
    out = clean(f"{HEAD}\n\n{HEAD}\n{HEAD}\n\n{P1}\n\n{HEAD}\n\n{P2}")
    assert out.text == f"{HEAD}\n\n{P1}\n\n{P2}"
    assert {r.rule for r in out.removed} == {"repeated-headline"}
    assert [r.line for r in out.removed] == [3, 4, 8]


def test_breadcrumb_line_ending_with_the_headline() -> None:
    out = clean(f"Home LOCAL NEWS {HEAD}\n\n{HEAD}\n\n{P1}")
    assert out.text == f"{HEAD}\n\n{P1}"
    assert [r.rule for r in out.removed] == ["breadcrumb"]


def test_repeated_heading_above_the_article() -> None:
    """A heading the page repeats above the article (its H1 and a teaser) is page furniture: every
    copy goes (issue 14: real pages kept a second headline); the headline itself stays."""
    sub = "Fares up by a tenth from spring"
    out = clean(f"{HEAD}\n\n{sub}\n{sub}\n\n{P1}")
    assert out.text == f"{HEAD}\n\n{P1}"
    assert [r.rule for r in out.removed] == ["repeated-heading", "repeated-heading"]
    once = f"{HEAD}\n\n{sub}\n\n{P1}"
    assert clean(once).text == once  # a subtitle that is not repeated is the article's


def test_tag_line_after_the_body() -> None:
    out = clean(f"{HEAD}\n\n{P1}\n\n{P2}\n\n\u00a0 Ferries, Island Life, Harbour Council")
    assert out.text == f"{HEAD}\n\n{P1}\n\n{P2}"
    assert _rules(f"{HEAD}\n\n{P1}\n\nTags: ferries, fares") == {"tag-line": ["Tags: ferries, fares"]}


def test_tag_like_line_inside_the_body_is_kept() -> None:
    text = f"{HEAD}\n\nIsland Life, Ferries\n\n{P1}"
    assert clean(text).text == text


def test_prev_next_teasers_and_punctuation_only_lines() -> None:
    out = clean(
        f"{HEAD}\n\n{P1}\n\n-\n\n-\n\nPREV Bakery wins regional prize\nNEXT Storm closes coastal road"
    )
    assert out.text == f"{HEAD}\n\n{P1}"
    assert _rules(f"{HEAD}\n\n{P1}\n\n*\nPREV A\nNEXT B") == {
        "punctuation-only": ["*"],
        "prev-next-teaser": ["PREV A", "NEXT B"],
    }


def test_next_as_an_ordinary_word_is_kept() -> None:
    text = f"{HEAD}\n\nNext spring the fares rise again, the council said."
    assert clean(text).text == text


def test_list_of_cited_headlines() -> None:
    refs = "[1] Council debates fares [2] Ferry operator posts loss [3] Islanders protest"
    out = clean(f"{HEAD}\n\n{P1} [1]\n\n{refs}\n\n{P2}")
    assert out.text == f"{HEAD}\n\n{P1} [1]\n\n{P2}"
    assert _rules(f"{HEAD}\n\n{P1}\n\n{refs}") == {"cited-headlines": [refs]}


def test_read_more_link_block() -> None:
    text = f"{HEAD}\n\n{P1}\n\nRead more:\nStorm closes coastal road\nBakery wins ‘best loaf’ prize\n\n{P2}"
    out = clean(text)
    assert out.text == f"{HEAD}\n\n{P1}\n\n{P2}"
    assert [r.rule for r in out.removed] == ["read-more-block"] * 3


def test_mobile_version_link() -> None:
    assert clean(f"{HEAD}\n\n{P1}\n\nExit mobile version").text == f"{HEAD}\n\n{P1}"


def test_video_player_notice() -> None:
    out = clean(f"{HEAD}\n\n{P1}\n\nPlease use Firefox browser for a more accessible video player\n\n{P2}")
    assert out.text == f"{HEAD}\n\n{P1}\n\n{P2}"
    assert [r.rule for r in out.removed] == ["video-notice"]


def test_trailers_remove_everything_after_them() -> None:
    for trailer in ("Comments", "Read also:", "You May Also Like"):
        out = clean(f"{HEAD}\n\n{P1}\n\n{trailer}\n\n    Latest\nSome other story title\n")
        assert out.text == f"{HEAD}\n\n{P1}", trailer
        assert {r.rule for r in out.removed} == {"trailer"}


def test_trailer_word_before_the_article_starts_is_kept() -> None:
    text = f"Comments\n\n{P1}"
    assert clean(text).text == text


def test_contract_nfc_newlines_blank_runs_and_kept_lines_verbatim() -> None:
    raw = "\r\n\r\n  Cafe\u0301 owners protest  \r\n\r\n\r\n\r\n\tIndented line stays as it is.\rLast 😀 line.\r\n\r\n"  # noqa: E501
    out = clean(raw)
    assert out.text == "  Café owners protest  \n\n\tIndented line stays as it is.\nLast 😀 line."
    assert unicodedata.is_normalized("NFC", out.text)


def test_version_includes_the_rules_and_user_rules_extend_them(tmp_path: Path) -> None:
    base = clean(P1)
    assert base.version.startswith(CLEANER_VERSION + "+rules.")
    extra = tmp_path / "site.yaml"
    extra.write_text(
        "sites:\n  - name: gazette-promo\n    action: line\n    pattern: 'subscribe to the gazette.*'\n"
    )
    rules = load_rules((extra,))
    out = clean(f"{HEAD}\n\nSubscribe to the Gazette today!\n\n{P1}", rules=rules)
    assert out.text == f"{HEAD}\n\n{P1}"
    assert out.version != base.version and [r.rule for r in out.removed] == ["gazette-promo"]


_LINE = st.one_of(
    st.sampled_from(
        [
            HEAD,
            P1,
            P2,
            "",
            "  ",
            "-",
            "Comments",
            "Read more:",
            "PREV x y",
            "[1] A [2] B",
            "Skip to content",
            f"Home NEWS {HEAD}",
            "Tags: a, b",
            "Exit mobile version",
            "\u00a0 Alpha, Beta",
            "Read also:",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(_LINE, max_size=14), sep=st.sampled_from(["\n", "\r\n", "\r"]))
def test_cleaning_is_idempotent(lines: list[str], sep: str) -> None:
    once = clean(sep.join(lines))
    twice = clean(once.text)
    assert twice.text == once.text
    assert twice.removed == ()
    kept = set(once.text.split("\n"))
    normalized_lines = set(normalize(sep.join(lines)).split("\n"))
    assert kept <= normalized_lines | {""}  # whole lines only: nothing edited inside a kept line


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab .!?…:;"”’»)],\t\u00a0\u2009\u0301')), max_size=14))
def test_line_facts_fast_paths_match_the_regex_and_key(line: str) -> None:
    """The cleaner's per-line shortcuts equal the definitions they replace."""
    from stancebank.tasks.clean import _SENTENCE_END, _ends_sentence, _key, _Lines, load_rules

    stripped = line.strip()
    assert _ends_sentence(stripped) == (_SENTENCE_END.search(stripped) is not None)
    info = _Lines([line], load_rules())
    assert info.keys[0] == (_key(stripped) if stripped else "")


# Rules a first-character table must get right: lookarounds, optional and repeated starts, classes,
# categories, case-insensitivity with characters that fold to ASCII (ſ → s, K (Kelvin) → k), negation.
_TRICKY_RULES = [
    ("lookahead", r"(?=\w)(?!x)shop now.*"),
    ("optional", r"(the )?(latest|breaking) news"),
    ("repeated", r"(\d+|[a-c])+ items?"),
    ("class-icase", r"[ſK]elvin says"),
    ("range-icase", "[\u017f-\u0180]tar power"),
    ("negated", r"[^a-z]+ bulletin"),
    ("any", r".{0,3}sponsored"),
    ("case-sensitive", r"(?-i:PS:) .*"),
    ("nullable", r"(ad)?"),
]


_MATCHING = [
    "skip to main content", "Jump to navigation", "PREV Ferry fares rise", "Next article: the vote",
    "read more: the vote", "Related", "mobile version", "Go to the desktop site", "video unavailable now",
    "Tags: ferry, fares", "share this article", "Comments (12)", "12 comments", "Read also", "trending now",
    "shop now and save", "latest news", "the breaking news", "12 items", "abc item", "Kelvin says",
    "selvin says", "12 bulletin", "ab sponsored", "PS: call us", "ad", "He said so.", "x", "star power",
]  # fmt: skip
# what a character may become: itself, its other case, or a non-ASCII character that matches it
# case-insensitively (long s, Kelvin sign)
_VARIANTS = {"s": "sSſ", "S": "sSſ", "k": "kK\u212a", "K": "kK\u212a"}


@st.composite
def _rule_like_lines(draw: st.DrawFn) -> str:
    base = draw(st.sampled_from(_MATCHING))
    chars = [draw(st.sampled_from(_VARIANTS.get(c, c + c.swapcase()))) for c in base]
    return "".join(chars) + draw(st.sampled_from(["", " ", "!", " tail"]))


@settings(max_examples=500, deadline=None)
@given(_rule_like_lines())
def test_the_rules_alternation_matches_exactly_the_lines_some_rule_matches(line: str) -> None:
    """The one alternation tried per line is only a shortcut: it matches a line exactly when one of
    the rules on its own does, for the packaged rules and for user rules built to confuse it (lines
    are rule matches with their case changed and letters swapped for non-ASCII ones that match)."""
    from stancebank.tasks.clean import _compile_rules

    user = {"rules": [{"name": n, "pattern": p} for n, p in _TRICKY_RULES]}
    for rules in (load_rules(), _compile_rules([("user.yaml", user)])):
        stripped = line.strip()
        assert rules.any_rule is not None
        expected = any(r.pattern.fullmatch(stripped) for r in rules.line_rules)
        assert (rules.any_rule.fullmatch(stripped) is not None) == expected, stripped


def test_rules_are_a_value_object() -> None:
    assert hash(load_rules()) == hash(_compile_rules_again())


def _compile_rules_again() -> object:
    from importlib import resources

    import yaml

    from stancebank.tasks.clean import _compile_rules

    text = resources.files("stancebank.tasks.resources").joinpath("boilerplate.yaml").read_text("utf-8")
    return _compile_rules([("boilerplate.yaml", yaml.safe_load(text))])


def test_user_rules_with_group_names_backreferences_and_global_flags(tmp_path: Path) -> None:
    """Rules that cannot share one alternation (a group name used twice, a back-reference whose
    number would shift, a global ``(?i)``/``(?x)`` flag) load and apply exactly as on their own."""
    rules_file = tmp_path / "site.yaml"
    rules_file.write_text(
        "rules:\n"
        "  - {name: x-group, pattern: '(x)'}\n"
        "  - {name: doubled, pattern: '(\\w+) \\1'}\n"
        "  - {name: foo, pattern: '(?P<w>foo)'}\n"
        "  - {name: bar, pattern: '(?P<w>bar)'}\n"
        "  - {name: promo, pattern: '(?i)promo code.*', ignore_case: false}\n"
        "  - {name: spaced, pattern: '(?x) sale \\  ends .*'}\n",
        "utf-8",
    )
    raw = f"{P1}\nbye bye\néé éé\nfoo\nbar\nPROMO CODE 12\nSALE ENDS today\n{P2}"
    out = clean(raw, rules=load_rules((rules_file,)))
    assert [(r.rule, r.text) for r in out.removed] == [
        ("doubled", "bye bye"),
        ("doubled", "éé éé"),  # a non-ASCII first character: tried through the whole rule set
        ("foo", "foo"),
        ("bar", "bar"),
        ("promo", "PROMO CODE 12"),
        ("spaced", "SALE ENDS today"),
    ]
    assert out.text == f"{P1}\n{P2}"
