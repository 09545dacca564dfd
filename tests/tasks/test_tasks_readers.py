"""Readers: every format, metadata, origins, decoding and rejects (texts written for these tests)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from stancebank.tasks.build import BuildOptions, build_tasks
from stancebank.tasks.readers import RawArticle, Reject, parse_published, read_inputs, strip_site_suffix

BODY = "The harbour council said on Monday that the ferry fares would rise next spring."


def _read(*paths: Path) -> list[RawArticle | Reject]:
    return list(read_inputs(list(paths)))


def test_txt_first_nonempty_line_is_the_headline(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("\n\nFerry fares to rise\n\n" + BODY + "\n", encoding="utf-8")
    [art] = _read(path)
    assert isinstance(art, RawArticle)
    assert art.title == "Ferry fares to rise"
    assert art.origin.file == str(path) and art.origin.line is None
    assert len(art.raw_sha256) == 64


def test_markdown_headings_links_and_emphasis_become_text(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "# Ferry fares to rise\n\nThe **council** said [fares](http://x.example/f) rise.\n", "utf-8"
    )
    [art] = _read(path)
    assert isinstance(art, RawArticle)
    assert art.title == "Ferry fares to rise"
    assert "The council said fares rise." in art.text


def test_html_main_content_and_metadata(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Ferry fares to rise</title>"
        '<meta property="article:published_time" content="2024-03-05"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Ferry fares to rise</h1>"
        f"<p>{BODY}</p><p>Passengers' groups said the increase was unfair and would hurt island families.</p>"
        "</article><footer>Copyright the Harbour Gazette</footer></body></html>"
    )
    path = tmp_path / "a.html"
    path.write_text(html, "utf-8")
    [art] = _read(path)
    assert isinstance(art, RawArticle)
    assert art.title == "Ferry fares to rise"
    assert BODY in art.text and "Copyright" not in art.text
    assert "\n\n" in art.text
    assert art.published == "2024-03-05"


def test_jsonl_records_keep_metadata_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    rows = [
        {
            "id": "x1",
            "title": "T1",
            "text": BODY,
            "url": "https://n.example/1",
            "source": "Gazette",
            "published": "2024-03-05T10:00:00Z",
            "language": "en",
        },
        {"text": "Second article text that is long enough to read."},
    ]
    path.write_text(json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n", "utf-8")
    a, b = _read(path)
    assert isinstance(a, RawArticle) and isinstance(b, RawArticle)
    assert (a.id, a.title, a.url, a.source, a.language) == (
        "x1",
        "T1",
        "https://n.example/1",
        "Gazette",
        "en",
    )
    assert a.published == "2024-03-05T10:00:00+00:00"
    assert (a.origin.line, a.origin.record) == (1, 1)
    assert (b.origin.line, b.origin.record) == (3, 2)


@pytest.mark.parametrize("shape", ["list", "records", "single"])
def test_json_shapes(tmp_path: Path, shape: str) -> None:
    record = {"id": 7, "text": BODY}
    doc: object = {"list": [record], "records": {"records": [record]}, "single": record}[shape]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc), "utf-8")
    [art] = _read(path)
    assert isinstance(art, RawArticle) and art.id == "7" and art.origin.record == 1


def test_csv_rows_with_multiline_text_have_start_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('id,title,text\na,First,"line one\nline two"\nb,Second,' + BODY + "\n", "utf-8")
    a, b = _read(path)
    assert isinstance(a, RawArticle) and isinstance(b, RawArticle)
    assert a.text == "line one\nline two" and (a.origin.line, a.origin.record) == (2, 1)
    assert b.id == "b" and (b.origin.line, b.origin.record) == (4, 2)


def test_directory_is_recursive_sorted_and_skips_hidden_and_unknown(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("B\n\n" + BODY, "utf-8")
    (tmp_path / "a.txt").write_text("A\n\n" + BODY, "utf-8")
    (tmp_path / ".hidden.txt").write_text("H\n\n" + BODY, "utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00\x00")
    arts = _read(tmp_path)
    assert [a.origin.file for a in arts] == [str(tmp_path / "a.txt"), str(tmp_path / "sub" / "b.txt")]


def test_directory_skips_documentation_files_but_reads_them_when_named(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("A\n\n" + BODY, "utf-8")
    (tmp_path / "README.md").write_text("# About this folder\n\nThese are sample articles.", "utf-8")
    (tmp_path / "sub" / "readme.txt").write_text("Notes\n\nNothing to annotate here.", "utf-8")
    (tmp_path / "License.txt").write_text("MIT\n\nPermission is hereby granted.", "utf-8")
    (tmp_path / "CHANGELOG.md").write_text("# Changes\n\n- added articles", "utf-8")
    (tmp_path / "changelog_2024.md").write_text("# 2024\n\n- more articles", "utf-8")
    (tmp_path / "LICENSE-MIT.txt").write_text("MIT\n\nPermission is hereby granted.", "utf-8")
    (tmp_path / "licensed_music.txt").write_text("L\n\n" + BODY, "utf-8")  # not documentation
    (tmp_path / "README_zh-CN.md").write_text("# 说明\n\n示例文章。", "utf-8")
    (tmp_path / "LICENSE_MIT.txt").write_text("MIT\n\nPermission is hereby granted.", "utf-8")
    (tmp_path / "licence_fee.txt").write_text("F\n\n" + BODY, "utf-8")  # an article about a licence fee
    (tmp_path / "licence-fee-vote.txt").write_text("V\n\n" + BODY, "utf-8")  # not documentation
    (tmp_path / "readme_rally.txt").write_text("M\n\n" + BODY, "utf-8")  # not documentation
    (tmp_path / "my_readme_story.txt").write_text("R\n\n" + BODY, "utf-8")  # not documentation
    skipped: list[str] = []
    arts = list(read_inputs([tmp_path], skipped))
    assert [Path(a.origin.file).name for a in arts] == [
        "a.txt",
        "licence-fee-vote.txt",
        "licence_fee.txt",
        "licensed_music.txt",
        "my_readme_story.txt",
        "readme_rally.txt",
    ]
    assert sorted(Path(s).name for s in skipped) == [
        "CHANGELOG.md",
        "LICENSE-MIT.txt",
        "LICENSE_MIT.txt",
        "License.txt",
        "README.md",
        "README_zh-CN.md",
        "changelog_2024.md",
        "readme.txt",
    ]
    [named] = _read(tmp_path / "README.md")  # named explicitly: read like any article
    assert isinstance(named, RawArticle) and named.title == "About this folder"


def test_latin1_french_article_is_decoded_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = "Négociations à Genève\n\nLe ministre a déclaré qu'il était « très préoccupé » par l'accord signé."
    path = tmp_path / "fr.txt"
    path.write_bytes(text.encode("latin-1"))
    [art] = _read(path)
    assert isinstance(art, RawArticle)
    assert art.text == text
    assert any("cp1252" in w or "latin" in w for w in art.warnings)
    assert "decoded as" in caplog.text


def test_utf8_bom_and_utf16_bom(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(codecs.BOM_UTF8 + ("Héadline\n\n" + BODY).encode("utf-8"))
    (tmp_path / "u16.txt").write_bytes(codecs.BOM_UTF16_LE + ("Zürich talks\n\n" + BODY).encode("utf-16-le"))
    bom, u16 = _read(tmp_path / "bom.txt", tmp_path / "u16.txt")
    assert isinstance(bom, RawArticle) and bom.text.startswith("Héadline") and not bom.warnings
    assert isinstance(u16, RawArticle) and u16.title == "Zürich talks"


def test_rejects_name_file_line_record_and_reason(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (tmp_path / "empty.txt").write_text("  \n\n", "utf-8")
    (tmp_path / "bad.jsonl").write_text(
        '{"text": "fine text here"}\n{not json\n{"title": "no text"}\n{"text": ""}\n{"text": 5}\n[1, 2]\n',
        "utf-8",
    )
    (tmp_path / "bad.json").write_text("{oops", "utf-8")
    (tmp_path / "nocol.csv").write_text("id,body\n1,x\n", "utf-8")
    (tmp_path / "wide.csv").write_text("id,text\n1,ok text,extra\n", "utf-8")
    items = _read(tmp_path)
    rejects = {
        (Path(r.origin.file).name, r.origin.line, r.origin.record, r.reason)
        for r in items
        if isinstance(r, Reject)
    }
    assert rejects == {
        ("bin.txt", None, None, "binary"),
        ("empty.txt", None, None, "empty"),
        ("bad.jsonl", 2, 2, "unparsable"),
        ("bad.jsonl", 3, 3, "no-text"),
        ("bad.jsonl", 4, 4, "empty"),
        ("bad.jsonl", 5, 5, "no-text"),
        ("bad.jsonl", 6, 6, "unparsable"),
        ("bad.json", 1, None, "unparsable"),
        ("nocol.csv", 1, None, "unparsable"),
        ("wide.csv", 2, 1, "unparsable"),
    }
    assert sum(isinstance(i, RawArticle) for i in items) == 1
    (number,) = [r for r in items if isinstance(r, Reject) and r.origin.line == 5]
    assert number.detail.startswith("field `text` is an int, not a string")  # was "is a int"


def test_unparsable_date_is_a_warning_not_a_silent_null(tmp_path: Path) -> None:
    assert parse_published("2024-02-30") == (
        None,
        "published date '2024-02-30' is not an ISO date; recorded as null",
    )
    assert parse_published("5 March 2024") == ("2024-03-05", None)
    assert parse_published(None) == (None, None)
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps({"text": BODY, "published": "last Tuesday"}) + "\n", "utf-8")
    [art] = _read(path)
    assert isinstance(art, RawArticle) and art.published is None
    assert any("last Tuesday" in w for w in art.warnings)


def test_a_lone_surrogate_escape_is_a_reject_naming_the_field(tmp_path: Path) -> None:
    """`json.loads` turns a broken escape pair into half a surrogate, which no UTF-8 file can hold:
    the record is rejected (field, code point, position), the pair that is whole still builds."""
    from stancebank.tasks.build import BuildOptions, build_tasks

    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"text": "The ferry \\ud800 left at noon. It was late."}\n'
        '{"text": "The ferry \\ud83d\\udea2 left at noon. It was on time.", "title": "Ferry \\udc00"}\n'
        '{"text": "The ferry \\ud83d\\udea2 left at noon. It was on time."}\n',
        "utf-8",
    )
    result = build_tasks([path], BuildOptions(preannotate=False))
    details = {(r.origin.line, r.reason): r.detail for r in result.rejects}
    assert set(details) == {(1, "unparsable"), (2, "unparsable")}
    assert (
        "field `text`" in details[(1, "unparsable")]
        and "\\ud800 at character 10" in details[(1, "unparsable")]
    )
    assert "field `title`" in details[(2, "unparsable")] and "\\udc00" in details[(2, "unparsable")]
    [task] = result.tasks
    assert "\U0001f6a2" in task["data"]["text"]


def test_prepare_rejects_a_text_no_utf8_file_can_hold() -> None:
    """The last guard, for any reader: a clean text with a lone surrogate never becomes a task."""
    from stancebank.schema.model import Origin
    from stancebank.tasks.build import prepare

    raw = RawArticle(
        text="Ferry news.\n\nThe ferry \udc9f left.", origin=Origin("x.txt"), raw_sha256="0" * 64
    )
    out = prepare(raw)
    assert isinstance(out, Reject) and out.reason == "unparsable" and "\\udc9f" in out.detail


def test_a_file_in_a_symlink_loop_or_a_broken_link_is_a_reject(tmp_path: Path) -> None:
    """Issue 13: files in a symlink loop were skipped without a reject entry."""
    (tmp_path / "ok.txt").write_text(BODY, "utf-8")
    (tmp_path / "loop_a.txt").symlink_to("loop_b.txt")
    (tmp_path / "loop_b.txt").symlink_to("loop_a.txt")
    (tmp_path / "broken.txt").symlink_to("missing.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a folder loop: walked once, nothing read twice
    items = _read(tmp_path)
    rejects = {Path(r.origin.file).name: r for r in items if isinstance(r, Reject)}
    assert sorted(rejects) == ["broken.txt", "loop_a.txt", "loop_b.txt"]
    assert all(r.reason == "unreadable" for r in rejects.values())
    assert "symbolic link" in rejects["loop_a.txt"].detail
    assert "fix or remove the link" in rejects["broken.txt"].detail
    assert [Path(a.origin.file).name for a in items if isinstance(a, RawArticle)] == ["ok.txt"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Ukraine: Minister rejects the idea of a truce: News",
            "Ukraine: Minister rejects the idea of a truce",
        ),
        ("Ferry fares to rise next spring - BBC News", "Ferry fares to rise next spring"),
        ("Ferry fares to rise next spring | Reuters", "Ferry fares to rise next spring"),
        ("Ferry fares to rise next spring \u2013 The Island Herald", "Ferry fares to rise next spring"),
        # a clause after the dash, a short headline, a colon that is part of the headline: kept
        (
            "Ferry fares to rise next spring - operators say",
            "Ferry fares to rise next spring - operators say",
        ),
        ("Fares rise | Reuters", "Fares rise | Reuters"),
        ("Ferry fares: what the rise means for you", "Ferry fares: what the rise means for you"),
        ("Harbour United beat Ferry Town 2 - 0", "Harbour United beat Ferry Town 2 - 0"),  # a score
        # a title-case headline's capitalised tail may be its own (a pipe still marks a site)
        (
            "Ferry Deal Agreed After Marathon Talks - Islanders Celebrate",
            "Ferry Deal Agreed After Marathon Talks - Islanders Celebrate",
        ),
        ("Ferry Deal Agreed After Marathon Talks | Island Herald", "Ferry Deal Agreed After Marathon Talks"),
    ],
)
def test_a_site_name_or_section_label_is_cut_from_the_title(title: str, expected: str) -> None:
    assert strip_site_suffix(title) == expected


def test_a_built_task_is_titled_without_the_site_suffix(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Harbour board approves new ferry timetable: News\n\n"
        "The harbour board approved a new ferry timetable on Monday, its chair said.\n",
        encoding="utf-8",
    )
    result = build_tasks([tmp_path / "a.txt"], BuildOptions(preannotate=False))
    [task] = result.tasks
    assert task["data"]["title"] == "Harbour board approves new ferry timetable"
    assert task["data"]["text"].startswith("Harbour board approves new ferry timetable: News\n")
