"""The canonical-text cleaner: raw article text → the text every offset refers to, forever.

Contract (see issue 3): Unicode NFC; line endings to ``\\n``; whole-line boilerplate removal only
(never an edit inside a kept line); blank-line runs collapsed to one blank line; leading and
trailing blank lines dropped. ``clean(clean(x).text) == clean(x)`` (the rules run to a fixpoint and
only look at kept lines). The version recorded in tasks is :data:`CLEANER_VERSION` plus a hash of the
rules in force, so extending the rules file changes it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from stancebank.schema.errors import not_utf8
from stancebank.tasks.errors import ResourceError

CLEANER_VERSION = "1.1.0"
"""Bump when the code rules change behaviour; the rules file's hash is appended at run time."""

RuleAction = Literal["line", "block", "trailer"]
_ACTIONS = ("line", "block", "trailer")

_NEWLINES = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
_NEWLINE_CHARS = "\r\u2028\u2029\x85\x0b\x0c"
"""Every character :data:`_NEWLINES` rewrites (``\\r\\n`` starts with one of them)."""
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)\]]$")
_SENTENCE_END_CHARS = frozenset('.!?…:;"”’»)]')


def _ends_sentence(stripped: str) -> bool:
    """``_SENTENCE_END.search`` for a stripped line, without scanning it."""
    return bool(stripped) and stripped[-1] in _SENTENCE_END_CHARS


_ALNUM = re.compile(r"[^\W_]")
_CITED = re.compile(r"\[\d{1,3}\]\s*\S")
_FUNCTION_WORDS = frozenset({"in", "of", "and", "the", "on", "for", "to", "a", "an", "&", "de", "la", "vs"})
_ARTICLE_STARTED_WORDS = 8


@dataclass(frozen=True)
class LineRule:
    """A regex rule from the rules file."""

    name: str
    action: RuleAction
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _AnyOf:
    """Patterns tried in turn, for rules that cannot join an alternation (see :func:`_joinable`)."""

    patterns: tuple[re.Pattern[str], ...]

    def fullmatch(self, text: str) -> re.Match[str] | None:
        for pattern in self.patterns:
            found = pattern.fullmatch(text)
            if found is not None:
                return found
        return None


Matcher = re.Pattern[str] | _AnyOf
"""Something with ``fullmatch``: one alternation of rules, or that plus rules tried alone."""


@dataclass(frozen=True)
class Rules:
    line_rules: tuple[LineRule, ...]
    digest: str
    """sha256 (first 12 hex) of the rules in force."""
    any_rule: Matcher | None = None
    """All rule patterns in one alternation: a cheap first test per line."""

    @property
    def version(self) -> str:
        return f"{CLEANER_VERSION}+rules.{self.digest}"


@dataclass(frozen=True)
class Removal:
    """One removed line: the rule, its 1-based line number in the normalised input, and its text."""

    rule: str
    line: int
    text: str


@dataclass(frozen=True)
class Cleaned:
    text: str
    version: str
    removed: tuple[Removal, ...] = field(default=())

    def removed_by_rule(self) -> dict[str, list[Removal]]:
        """The audit: removed lines grouped by rule name."""
        out: dict[str, list[Removal]] = {}
        for removal in self.removed:
            out.setdefault(removal.rule, []).append(removal)
        return out


def _compile_rules(docs: Sequence[tuple[str, dict[str, Any]]]) -> Rules:
    rules: list[LineRule] = []
    digest = hashlib.sha256(CLEANER_VERSION.encode())
    for origin, doc in docs:
        if not isinstance(doc, dict):
            raise ResourceError(f"{origin}: a boilerplate rules file is a mapping with `rules:`/`sites:`")
        for section in ("rules", "sites"):
            entries = doc.get(section) or []
            if not isinstance(entries, list):
                raise ResourceError(f"{origin}: `{section}` must be a list of rules")
            for i, entry in enumerate(entries):
                where = f"{origin}: {section}[{i}]"
                if not isinstance(entry, dict) or not {"name", "pattern"} <= set(entry):
                    raise ResourceError(f"{where}: a rule needs `name` and `pattern` (and `action`)")
                action = entry.get("action", "line")
                if action not in _ACTIONS:
                    raise ResourceError(f"{where}: action {action!r} is not one of {', '.join(_ACTIONS)}")
                flags = re.IGNORECASE if entry.get("ignore_case", True) else 0
                try:
                    pattern = re.compile(str(entry["pattern"]), flags)
                except re.error as err:
                    raise ResourceError(f"{where} ({entry['name']}): bad regular expression: {err}") from None
                rules.append(LineRule(str(entry["name"]), action, pattern))
                digest.update(f"{entry['name']}\0{action}\0{entry['pattern']}\0{flags}\n".encode())
    return Rules(tuple(rules), digest.hexdigest()[:12], _alternation(rules))


def _wrapped(rule: LineRule) -> str:
    return f"(?{'i' if rule.pattern.flags & re.IGNORECASE else ''}:{rule.pattern.pattern})"


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def _joinable(rule: LineRule) -> bool:
    """Whether a rule keeps its meaning inside one alternation with other rules: no group names
    (two rules may use the same), no back-references (group numbers shift), no global inline flags
    such as ``(?i)`` (only allowed at the start of a whole pattern)."""
    if rule.pattern.groupindex or _BACKREFERENCE.search(rule.pattern.pattern):
        return False
    try:
        re.compile(_wrapped(rule))
    except re.error:
        return False
    return True


def _alternation(rules: Sequence[LineRule]) -> Matcher | None:
    """One pattern that fullmatches a line when any of ``rules`` does."""
    joinable = [_joinable(r) for r in rules]
    joined = [r for r, ok in zip(rules, joinable, strict=True) if ok]
    alone = tuple(r.pattern for r, ok in zip(rules, joinable, strict=True) if not ok)
    combined = re.compile("|".join(_wrapped(r) for r in joined)) if joined else None
    if not alone:
        return combined
    return _AnyOf(((combined,) if combined is not None else ()) + alone)


@lru_cache(maxsize=8)
def load_rules(extra: tuple[Path, ...] = ()) -> Rules:
    """The packaged rules plus any user rule files (same format)."""
    packaged = resources.files("stancebank.tasks.resources").joinpath("boilerplate.yaml").read_text("utf-8")
    docs: list[tuple[str, dict[str, Any]]] = [("boilerplate.yaml", yaml.safe_load(packaged))]
    for path in extra:
        try:
            docs.append((str(path), yaml.safe_load(path.read_text("utf-8"))))
        except UnicodeDecodeError as err:
            raise ResourceError(not_utf8(path, err)) from None
        except (OSError, yaml.YAMLError) as err:
            raise ResourceError(f"{path}: cannot read boilerplate rules: {err}") from None
    return _compile_rules(docs)


def normalize(raw: str) -> str:
    """NFC and ``\\n`` line endings: the only whole-text edits the cleaner makes."""
    text = unicodedata.normalize("NFC", raw)
    # a regex scan costs ~10 ns per character; six substring tests cost almost nothing
    if any(c in text for c in _NEWLINE_CHARS):
        return _NEWLINES.sub("\n", text)
    return text


def _key(line: str) -> str:
    return " ".join(line.split()).casefold()


def _words(line: str) -> int:
    return len(line.split())


def _is_tag_list(stripped: str, ends_sentence: bool | None = None) -> bool:
    if ends_sentence is None:
        ends_sentence = _ends_sentence(stripped)
    if ends_sentence or "," not in stripped:
        return False
    items = [item.strip() for item in stripped.split(",")]
    if len(items) < 2:
        return False
    for item in items:
        words = item.split()
        if not 1 <= len(words) <= 4:
            return False
        if not all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _FUNCTION_WORDS for w in words):
            return False
    return True


def _breadcrumb_of(stripped: str, heads: Sequence[str]) -> bool:
    for head in heads:
        if len(head) >= 15 and len(stripped) > len(head) and stripped.endswith(head):
            prefix = stripped[: -len(head)].strip()
            if prefix and _words(prefix) <= 8 and not _SENTENCE_END.search(prefix):
                return True
    return False


class _Lines:
    """Per-line facts computed once per article (lines never change between passes). Built with
    comprehensions over the stripped lines: this is the cleaner's hottest code."""

    __slots__ = (
        "_tags",
        "ends",
        "junk",
        "keys",
        "lines",
        "n_words",
        "nonblank",
        "paragraph",
        "rules_hit",
        "stripped",
    )

    def __init__(self, lines: list[str], rules: Rules) -> None:
        self.lines = lines
        self.stripped = stripped = [line.strip() for line in lines]
        self.nonblank = [i for i, s in enumerate(stripped) if s]
        # single ASCII spaces only (no tab, no-break space, double space): words are counted, not split
        regular = [s.isprintable() and "  " not in s for s in stripped]
        pairs = list(zip(stripped, regular, strict=True))
        self.n_words: list[int] = [(s.count(" ") + 1 if s else 0) if r else len(s.split()) for s, r in pairs]
        self.keys: list[str] = [  # _key(stripped)
            s.casefold() if r else " ".join(s.split()).casefold() for s, r in pairs
        ]
        self.ends: list[bool] = [s[-1:] in _SENTENCE_END_CHARS for s in stripped]
        self.paragraph: list[bool] = [
            n >= _ARTICLE_STARTED_WORDS and e for n, e in zip(self.n_words, self.ends, strict=True)
        ]
        self.junk: dict[int, str] = {  # line-only rules that apply wherever the line is
            i: reason
            for i, s in enumerate(stripped)
            if s and not s[0].isalnum() and (reason := _junk(s)) is not None
        }
        any_rule, line_rules = rules.any_rule, rules.line_rules
        self.rules_hit: dict[int, tuple[LineRule, ...]] = (
            {
                i: tuple(r for r in line_rules if r.pattern.fullmatch(s))
                for i, s in enumerate(stripped)
                if s and any_rule.fullmatch(s)
            }
            if any_rule is not None
            else {}
        )
        self._tags: dict[int, bool] = {}

    def tag_list(self, i: int) -> bool:
        """Whether line ``i`` is a comma-separated list of short capitalised items (computed on demand)."""
        found = self._tags.get(i)
        if found is None:
            found = self._tags[i] = _is_tag_list(self.stripped[i], self.ends[i])
        return found


def _junk(stripped: str) -> str | None:
    """The line-only rule a non-blank line falls under wherever it is (punctuation-only, cited-headlines)."""
    if _ALNUM.search(stripped) is None:
        return "punctuation-only"
    if stripped.startswith("[") and _CITED.match(stripped):
        return "cited-headlines"
    return None


def _one_pass(
    info: _Lines, kept: list[bool], reasons: dict[int, str], rules: Rules, title: str | None
) -> bool:
    """Apply every rule once over the kept lines; returns True when something was removed."""
    changed = False
    lines, stripped_lines = info.lines, info.stripped

    def drop(i: int, rule: str) -> None:
        nonlocal changed
        if kept[i]:
            kept[i] = False
            reasons[i] = rule
            changed = True

    idx = [i for i in info.nonblank if kept[i]]
    # Rule hits are rare: visit only them. "started" (the article began) means a kept paragraph
    # line lies before the hit; lines before the line being visited are never dropped later in this
    # loop (trailers and blocks drop forward), so one pointer moving forward finds it.
    paragraph = info.paragraph
    started, scanned = False, 0
    n = len(lines)
    for i, hits in info.rules_hit.items():
        if not kept[i]:
            continue
        while not started and scanned < i:
            started = kept[scanned] and paragraph[scanned]
            scanned += 1
        for rule in hits:
            if rule.action == "trailer":
                if not started:
                    continue  # a trailer word before the article began: try the next rule
                for j in range(i, n):
                    if stripped_lines[j]:
                        drop(j, rule.name)
                    else:
                        kept[j] = False
            elif rule.action == "block":
                drop(i, rule.name)
                j = i + 1
                while j < n and stripped_lines[j]:
                    drop(j, rule.name)
                    j += 1
            else:
                drop(i, rule.name)
            break

    idx = [i for i in idx if kept[i]]
    if not idx:
        return changed
    # Breadcrumbs: a short navigation prefix followed by the headline (or another early line). A
    # breadcrumb ends with a head of >= 15 characters, so only heads sharing its last 15 are tried.
    early = idx[:12]
    by_suffix: dict[str, list[str]] = {}
    for head in ([title] if title else []) + [stripped_lines[i] for i in early]:
        if len(head) >= 15:
            by_suffix.setdefault(head[-15:], []).append(head)
    for i in early:
        stripped = stripped_lines[i]
        heads = by_suffix.get(stripped[-15:])
        if heads is None or len(heads) == 1:
            continue  # no head but (maybe) itself
        if _breadcrumb_of(stripped, [h for h in heads if len(h) < len(stripped)]):
            drop(i, "breadcrumb")
    idx = [i for i in idx if kept[i]]
    if not idx:
        return changed
    keys = info.keys
    first = idx[0]
    headline = _key(title) if title else keys[first]
    last_paragraph = next((i for i in reversed(idx) if paragraph[i]), -1)
    junk, n_words = info.junk, info.n_words
    # Most lines are unique: the seen-set is needed only when some key repeats.
    repeats = len({keys[i] for i in idx}) != len(idx)
    if repeats:
        # Above the article's first paragraph, a heading line that occurs more than once (a page's
        # title repeated as its H1 and in a teaser) is page furniture: every copy goes, except the
        # headline itself (the first line).
        counts = Counter(keys[i] for i in idx)
        for i in idx[1:]:
            if paragraph[i]:
                break
            if counts[keys[i]] > 1 and keys[i] != headline and not info.ends[i]:
                drop(i, "repeated-heading")
    seen: set[str] = set()
    for pos, i in enumerate(idx):
        key = keys[i]
        if key == headline and (pos > 0 or (title is not None and i != first)):
            drop(i, "repeated-headline")
            continue
        if repeats:
            if key in seen and n_words[i] >= 3:
                drop(i, "repeated-line")
                continue
            seen.add(key)
        reason = junk.get(i)
        if reason is not None:
            drop(i, reason)
        elif (
            i > last_paragraph >= 0 or (lines[i][:1] in {" ", "\u00a0", "\t"} and i > first)
        ) and info.tag_list(i):
            drop(i, "tag-line")
    return changed


def clean(raw: str, *, title: str | None = None, rules: Rules | None = None) -> Cleaned:
    """Clean one article's raw text (see the module docstring for the contract)."""
    rules = rules or load_rules()
    text = normalize(raw)
    lines = text.split("\n")
    kept = [True] * len(lines)
    reasons: dict[int, str] = {}
    norm_title = normalize(title).strip() if title and title.strip() else None
    info = _Lines(lines, rules)
    while _one_pass(info, kept, reasons, rules, norm_title):
        pass
    out: list[str] = []
    for i, line in enumerate(lines):
        if not kept[i]:
            continue
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    removed = tuple(Removal(reasons[i], i + 1, lines[i]) for i in sorted(reasons))
    return Cleaned("\n".join(out), rules.version, removed)
