"""Readers: input paths → raw articles (or rejects), one generator per format.

Formats: ``.txt``/``.md`` (first non-empty line is the headline), ``.html``/``.htm`` (main content
by trafilatura, offline), ``.jsonl``, ``.json`` (an array of records, ``{"records": [...]}`` or one
record), ``.csv`` (same columns), and directories (recursive, sorted). Records have ``text`` and
optional ``id``, ``title``, ``url``, ``published``, ``source``, ``language``.

Line numbers are 1-based physical lines; record numbers are 1-based positions in the batch file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from stancebank.schema.model import Origin
from stancebank.schema.wire import a_type
from stancebank.tasks.decoding import Undecodable, decode_bytes
from stancebank.tasks.errors import InputError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
BATCH_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json", ".csv"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | BATCH_SUFFIXES
RECORD_FIELDS = ("id", "title", "url", "published", "source", "language")


@dataclass(frozen=True)
class RawArticle:
    """An article as read, before cleaning."""

    text: str
    origin: Origin
    raw_sha256: str
    id: str | None = None
    title: str | None = None
    """The title the input gives (a record's field, the HTML's metadata), or else the first line of
    the raw text (then :attr:`title_from_text` is set)."""
    title_from_text: bool = False
    """The title is only the raw text's first line: the build titles the article by the first line
    of its *cleaned* text instead (a navigation line such as "Skip to content" is gone by then)."""
    url: str | None = None
    source: str | None = None
    published: str | None = None
    language: str | None = None
    warnings: tuple[str, ...] = ()
    source_key: str | None = None
    """Where it sits in the input, independent of its text: the path below the folder given (the
    file name for a file given directly), plus ``#<record>`` in batch files. An article without an
    ``id`` is identified by it, so that a corrected text keeps its ``article_id``."""


@dataclass(frozen=True)
class Reject:
    """An input that became no task, with a reason code and a human explanation."""

    origin: Origin
    reason: str
    detail: str
    article_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.origin.file,
            "line": self.origin.line,
            "record": self.origin.record,
            "reason": self.reason,
            "detail": self.detail,
        }
        if self.article_id is not None:
            out["article_id"] = self.article_id
        out.update(self.extra)
        return out


Item = RawArticle | Reject


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_published(value: Any) -> tuple[str | None, str | None]:
    """(ISO date or datetime, warning). An unparsable date gives ``None`` and a warning."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat(), None
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat(), None
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat(), None
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in ("%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%Y/%m/%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat(), None
        except ValueError:
            continue
    return None, f"published date {text!r} is not an ISO date; recorded as null"


def headline(text: str) -> str | None:
    """The first non-blank line of a text, stripped."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None


# A headline line often ends with the site's name or a section label after a separator ("… | Reuters",
# "… - BBC News", "…: News"). Only a short trailing segment is cut: after a spaced pipe or dash, one
# to four capitalised words (a name, not a clause: "… - sources say" and a score "… 2 - 0" stay), and
# after a dash only when the headline itself is not in title case (there a capitalised tail may be
# part of it); after a colon, only a generic section label. At least four words must remain.
_SITE_SUFFIX = re.compile(
    r"\s+(?P<sep>[|\u2013\u2014-])\s+(?:[A-Z][\w.&'\u2019-]*)(?:\s+[A-Z0-9][\w.&'\u2019-]*){0,3}\s*$"
)
_SECTION_SUFFIX = re.compile(
    r":\s+(?:(?:latest|breaking|world|local|national|business)\s+)?"
    r"(?:news|live|updates?|opinion|analysis|video|photos|world|politics|business)\s*$",
    re.IGNORECASE,
)


def _title_case(words: list[str]) -> bool:
    """Whether most words of four letters or more start with a capital ("Deal Agreed After Talks")."""
    long_words = [w for w in words if len(w) >= 4 and w[0].isalpha()]
    return bool(long_words) and sum(w[0].isupper() for w in long_words) > len(long_words) / 2


def strip_site_suffix(title: str) -> str:
    """A headline without a trailing site name or section label (see ``_SITE_SUFFIX``)."""
    match = _SITE_SUFFIX.search(title)
    if match:
        head = title[: match.start()].split()
        if len(head) >= 4 and (match.group("sep") == "|" or not _title_case(head)):
            return title[: match.start()].rstrip()
    match = _SECTION_SUFFIX.search(title)
    if match and len(title[: match.start()].split()) >= 4:
        return title[: match.start()].rstrip()
    return title


_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def markdown_to_text(source: str) -> str:
    """Markdown → plain lines: heading markers, links and strong emphasis become their text."""
    out = []
    for line in source.splitlines():
        heading = _MD_HEADING.match(line)
        if heading:
            line = heading.group(1)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_EMPHASIS.sub(r"\2", line)
        out.append(line)
    return "\n".join(out)


def html_to_text(html: str) -> tuple[str, dict[str, str | None]]:
    """Main-content extraction with trafilatura (offline); paragraphs separated by blank lines."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if doc is None:
        return "", {}
    body = getattr(doc, "text", None) or ""
    meta: dict[str, str | None] = {
        "title": getattr(doc, "title", None),
        "url": getattr(doc, "url", None),
        "source": getattr(doc, "sitename", None),
        "published": getattr(doc, "date", None),
        "language": getattr(doc, "language", None),
    }
    paragraphs = [line.strip() for line in body.splitlines() if line.strip()]
    title = (meta["title"] or "").strip()
    if title and (not paragraphs or paragraphs[0] != title):
        paragraphs.insert(0, title)
    return "\n\n".join(paragraphs), meta


def _decode(data: bytes, origin: Origin) -> tuple[str | None, Reject | None, tuple[str, ...]]:
    try:
        decoded = decode_bytes(data)
    except Undecodable as err:
        return None, Reject(origin, err.reason, err.detail), ()
    warnings: tuple[str, ...] = ()
    if decoded.detected:
        warnings = (f"not UTF-8: decoded as {decoded.encoding}",)
        log.warning("%s: not UTF-8, decoded as %s", origin.describe(), decoded.encoding)
    return decoded.text, None, warnings


def read_text_file(path: Path, display: str, data: bytes) -> Iterator[Item]:
    origin = Origin(display)
    text, reject, warnings = _decode(data, origin)
    if reject is not None or text is None:
        yield reject or Reject(origin, "undecodable", "no text")
        return
    if path.suffix.lower() in {".md", ".markdown"}:
        text = markdown_to_text(text)
    if not text.strip():
        yield Reject(origin, "empty", "the file holds only whitespace")
        return
    yield RawArticle(
        text=text,
        origin=origin,
        raw_sha256=sha256_hex(data),
        title=headline(text),
        title_from_text=True,
        warnings=warnings,
    )


def read_html_file(display: str, data: bytes) -> Iterator[Item]:
    origin = Origin(display)
    html, reject, warnings = _decode(data, origin)
    if reject is not None or html is None:
        yield reject or Reject(origin, "undecodable", "no text")
        return
    try:
        text, meta = html_to_text(html)
    except Exception as err:  # noqa: BLE001 - trafilatura/lxml raise many types on broken markup
        yield Reject(origin, "unparsable", f"HTML extraction failed: {type(err).__name__}: {err}")
        return
    if not text.strip():
        yield Reject(origin, "empty", "no main content found in the HTML")
        return
    published, warning = parse_published(meta.get("published"))
    yield RawArticle(
        text=text,
        origin=origin,
        raw_sha256=sha256_hex(data),
        title=meta.get("title") or headline(text),
        title_from_text=not meta.get("title"),
        url=meta.get("url"),
        source=meta.get("source"),
        published=published,
        language=meta.get("language"),
        warnings=warnings + ((warning,) if warning else ()),
    )


def _surrogate_detail(record: dict[str, Any]) -> str:
    """Why a record cannot be encoded: a JSON escape such as ``\\ud800`` left half a surrogate pair."""
    for name, value in record.items():
        for text in (str(name), value) if isinstance(value, str) else (str(name),):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as err:
                shown = str(name).encode("utf-8", "backslashreplace").decode("utf-8")  # the name may be it
                return (
                    f"field `{shown}` holds a lone surrogate \\u{ord(text[err.start]):04x} at character "
                    f"{err.start} (half of a broken \\uXXXX escape pair); fix the escape or write the "
                    "character itself in UTF-8"
                )
    return "a field cannot be encoded as UTF-8"


def _from_record(record: Any, origin: Origin, warnings: tuple[str, ...]) -> Item:
    if not isinstance(record, dict):
        return Reject(origin, "unparsable", f"a record is an object with `text`, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        missing = "missing" if text is None else f"{a_type(text)}, not a string"
        return Reject(origin, "no-text", f"field `text` is {missing}; give the article body as `text`")
    if not text.strip():
        return Reject(origin, "empty", "field `text` is empty")
    meta: dict[str, str | None] = {}
    for name in RECORD_FIELDS:
        value = record.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            meta[name] = None
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            meta[name] = str(value).strip()
        else:
            return Reject(
                origin, "unparsable", f"field `{name}` must be a string, got {type(value).__name__}"
            )
    published, warning = parse_published(meta["published"])
    if warning:
        log.warning("%s: %s", origin.describe(), warning)
    try:
        raw = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
    except UnicodeEncodeError:
        return Reject(origin, "unparsable", _surrogate_detail(record))
    return RawArticle(
        text=text,
        origin=origin,
        raw_sha256=sha256_hex(raw),
        id=meta["id"],
        title=meta["title"],
        url=meta["url"],
        source=meta["source"],
        published=published,
        language=meta["language"],
        warnings=warnings + ((warning,) if warning else ()),
    )


def read_jsonl(display: str, data: bytes) -> Iterator[Item]:
    text, reject, warnings = _decode(data, Origin(display))
    if reject is not None or text is None:
        yield reject or Reject(Origin(display), "undecodable", "no text")
        return
    record_no = 0
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        record_no += 1
        origin = Origin(display, line=line_no, record=record_no)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield Reject(origin, "unparsable", f"invalid JSON at column {err.colno}: {err.msg}")
            continue
        yield _from_record(record, origin, warnings)


def read_json(display: str, data: bytes) -> Iterator[Item]:
    text, reject, warnings = _decode(data, Origin(display))
    if reject is not None or text is None:
        yield reject or Reject(Origin(display), "undecodable", "no text")
        return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        yield Reject(
            Origin(display, line=err.lineno), "unparsable", f"invalid JSON: {err.msg} (column {err.colno})"
        )
        return
    if isinstance(doc, dict) and isinstance(doc.get("records"), list):
        doc = doc["records"]
    records = doc if isinstance(doc, list) else [doc]
    for record_no, record in enumerate(records, start=1):
        yield _from_record(record, Origin(display, record=record_no), warnings)


def read_csv(display: str, data: bytes) -> Iterator[Item]:
    text, reject, warnings = _decode(data, Origin(display))
    if reject is not None or text is None:
        yield reject or Reject(Origin(display), "undecodable", "no text")
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or "text" not in reader.fieldnames:
        yield Reject(Origin(display, line=1), "unparsable", "the CSV header has no `text` column")
        return
    record_no = 0
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            record_no += 1
            yield Reject(Origin(display, line=start, record=record_no), "unparsable", f"CSV error: {err}")
            break
        previous_end = reader.line_num
        record_no += 1
        origin = Origin(display, line=start, record=record_no)
        if None in row:
            yield Reject(origin, "unparsable", "the row has more fields than the header")
            continue
        yield _from_record(row, origin, warnings)


def read_file(path: Path, display: str | None = None) -> Iterator[Item]:
    """Read one file (format by suffix); unreadable files become rejects."""
    display = display or str(path)
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as err:
        detail = f"cannot read the file: {err.strerror}"
        if path.is_symlink():
            detail += " (a symbolic link that leads to no file: fix or remove the link)"
        yield Reject(Origin(display), "unreadable", detail)
        return
    if suffix in TEXT_SUFFIXES:
        yield from read_text_file(path, display, data)
    elif suffix in HTML_SUFFIXES:
        yield from read_html_file(display, data)
    elif suffix in {".jsonl", ".ndjson"}:
        yield from read_jsonl(display, data)
    elif suffix == ".json":
        yield from read_json(display, data)
    elif suffix == ".csv":
        yield from read_csv(display, data)
    else:
        yield Reject(Origin(display), "unsupported", f"unknown file type {suffix or '(none)'}")


_DOCUMENTATION_WORD = r"(?:readme|licen[cs]e|changelog)"
_DOCUMENTATION = re.compile(
    # any case: the bare word, an extension, or a number or language code after a separator
    rf"(?i:{_DOCUMENTATION_WORD}(?:$|\.|[-_ ](?:\d|[a-z]{{2}}(?:[-_](?:[a-z]{{2}}|[a-z]{{4}}))?(?:\.|$))))"
    # upper case (README_CN.md, LICENSE_MIT.txt, CHANGELOG_v2.md): anything but a lower-case letter
    r"|(?:README|LICEN[CS]E|CHANGELOG)(?![a-z])"
)


def is_documentation(path: Path) -> bool:
    """``README*``, ``LICENSE*`` (or ``LICENCE*``) and ``CHANGELOG*`` files.

    In any case, the word alone or followed by an extension, or by a separator and a number or a
    language code (``readme.txt``, ``License.txt``, ``changelog_2024.md``, ``readme_en.txt``,
    ``README_zh-CN.md``); in upper case, followed by anything but a lower-case letter
    (``LICENSE-MIT.txt``, ``LICENSE_APACHE``, ``CHANGELOG_v2.md``). Articles named
    ``licence_fee.txt``, ``licence-fee.txt``, ``readme_rally.txt`` or ``licensed_music.txt`` are
    read.
    """
    return _DOCUMENTATION.match(path.name) is not None


def expand_inputs(
    inputs: list[Path], skipped_documentation: list[str] | None = None
) -> list[tuple[Path, str, str]]:
    """Files to read with the name they are reported under (the path as given, or below it) and
    their source key (the path below the folder given, or the file name; see `RawArticle`).

    Directories are walked recursively in sorted order; hidden files, files of unknown types and
    documentation files (:func:`is_documentation`) inside directories are skipped — the latter are
    appended to ``skipped_documentation`` when given. A file named explicitly is always read. A
    symbolic link that leads to no file (a loop, a missing target) is listed, so that reading it
    makes a reject. A missing input, or a folder without an article file, raises :class:`InputError`.
    """
    files: list[tuple[Path, str, str]] = []
    for given in inputs:
        if given.is_dir():
            before, other = len(files), []
            # a symbolic link that resolves to nothing (a loop, a missing target) is listed too:
            # reading it makes a reject, never a silent skip
            for path in sorted(
                p for p in given.rglob("*") if p.is_file() or (p.is_symlink() and not p.exists())
            ):
                rel = path.relative_to(given)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    other.append(rel.as_posix())
                    continue
                if is_documentation(path):
                    log.info("%s: documentation file, skipped", given / rel)
                    if skipped_documentation is not None:
                        skipped_documentation.append(str(given / rel))
                    continue
                files.append((path, str(given / rel), rel.as_posix()))
            if len(files) == before:  # a wrong folder: an empty tasks file and exit 0 would pass CI
                shown = ", ".join(other[:5]) + (f" and {len(other) - 5} more" if len(other) > 5 else "")
                raise InputError(
                    f"{given}: no article file in this folder or below it (read: "
                    f"{' '.join(sorted(SUPPORTED_SUFFIXES))}; README, LICENSE and CHANGELOG files are "
                    "documentation)"
                    + (f"; other files: {shown}" if other else "")
                    + "; give the folder that holds the articles"
                )
        elif given.is_file():
            files.append((given, str(given), given.name))
        else:
            raise InputError(f"{given}: no such file or directory; give article files or folders")
    return files


def read_input_file(path: Path, display: str, key: str) -> Iterator[Item]:
    """One file of :func:`expand_inputs`, its articles keyed by source (``key#record``)."""
    for item in read_file(path, display):
        if isinstance(item, RawArticle):
            record = item.origin.record
            item = replace(item, source_key=key if record is None else f"{key}#{record}")
        yield item


def read_inputs(inputs: list[Path], skipped_documentation: list[str] | None = None) -> Iterator[Item]:
    for path, display, key in expand_inputs(inputs, skipped_documentation):
        yield from read_input_file(path, display, key)
