"""Region placement (schema.wire.offsets): realigned when one reading fits, refused otherwise."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stancebank.schema.wire import Located, OffsetProblem, locate_region, same_text


def _u16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


ALPHABET = st.sampled_from(["a", "b", " ", "\r\n", "\n", "é", "e\u0308", "\U0001f600", "\U0001f68b", "Ü"])


@given(st.lists(ALPHABET, min_size=1, max_size=40), st.data())
def test_a_placed_region_always_selects_what_the_annotator_selected(
    parts: list[str], data: st.DataObject
) -> None:
    text = "".join(parts)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    selected = text[start:end]
    utf16 = data.draw(st.booleans())
    s, e = (_u16(text, start), _u16(text, end)) if utf16 else (start, end)
    where = locate_region(text, s, e, selected)
    if isinstance(where, Located):
        assert same_text(text[where.start : where.end], selected)
    else:  # refused, never shifted: only when the selection is whitespace-ambiguous or repeated
        assert where.kind in ("text_mismatch", "offset_out_of_range")
    if not utf16:
        assert where == Located(start, end, "as_given") or not same_text(text[start:end], selected)


def test_utf16_units_after_an_emoji_are_realigned() -> None:
    text = "Hi \U0001f600 Jürgen Mu\u0308ller said no."
    start = text.index("Jürgen")
    s16, e16 = _u16(text, start), _u16(text, start + len("Jürgen Mu\u0308ller"))
    assert locate_region(text, s16, e16, "Jürgen Mu\u0308ller") == Located(start, start + 14, "utf16")


def test_crlf_seen_as_lf_is_realigned() -> None:
    text = "Line one.\r\nLine two.\r\nAnna said yes."
    lf = text.replace("\r\n", "\n")
    s = lf.index("Anna")
    where = locate_region(text, s, s + 4, "Anna")
    assert where == Located(text.index("Anna"), text.index("Anna") + 4, "crlf")


def test_a_selection_found_twice_near_its_offsets_is_refused() -> None:
    text = "the plan, the plan, the plan"
    where = locate_region(text, 1, 9, "the plan")
    assert isinstance(where, OffsetProblem) and where.kind == "text_mismatch"
    assert "'the plan'" in where.detail and "3 places" in where.detail


def test_a_selection_found_once_near_its_offsets_is_realigned() -> None:
    text = "Officials said the deal is dead."
    assert locate_region(text, 12, 20, "the deal") == Located(15, 23, "search")


def test_bad_offsets_are_named() -> None:
    assert locate_region("abc", -1, 2, "ab") == OffsetProblem(
        "bad_offsets", "start=-1 end=2: a negative start"
    )
    assert isinstance(locate_region("abc", 2, 2, None), OffsetProblem)
    assert isinstance(locate_region("abc", True, 2, None), OffsetProblem)
    beyond = locate_region("abc", 5, 9, None)
    assert isinstance(beyond, OffsetProblem) and beyond.kind == "offset_out_of_range"
