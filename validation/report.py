"""Findings and the report that collects them (lazy: every failure, reported once)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

#: The keys of one finding in ``--format json``; stable, in this order.
FINDING_KEYS: tuple[str, ...] = (
    "severity",
    "check",
    "file",
    "line",
    "article_id",
    "task_id",
    "annotation_id",
    "span_id",
    "value",
    "message",
    "hint",
)


@dataclass(frozen=True)
class Finding:
    """One failure of one check at one place."""

    check: str
    severity: Severity
    message: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    article_id: str | None = None
    task_id: str | None = None
    annotation_id: str | None = None  # an annotation of an export (whose region), or a prediction
    span_id: str | None = None
    value: str | None = None

    def location(self) -> str:
        where = self.file or "?"
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.article_id:
            parts.append(f"article {self.article_id}")
        if self.task_id:
            parts.append(f"task {self.task_id}")
        if self.annotation_id:
            parts.append(f"annotation {self.annotation_id}")
        if self.span_id:
            parts.append(f"span {self.span_id}")
        return ", ".join(parts)

    def to_text(self) -> str:
        """One line: severity, check, place, message, value and fix (greppable in a CI log)."""
        value = f" [{self.value}]" if self.value else ""
        hint = f" — fix: {self.hint}" if self.hint else ""
        return f"{self.severity.upper()} {self.check} at {self.location()}: {self.message}{value}{hint}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {key: data[key] for key in FINDING_KEYS}


def _sort_key(f: Finding) -> tuple[Any, ...]:
    return (
        0 if f.severity == "error" else 1,
        f.file or "",
        f.line if f.line is not None else -1,
        f.article_id or "",
        f.task_id or "",
        f.annotation_id or "",
        f.span_id or "",
        f.check,
        f.value or "",
    )


def _counted(what: str, n: int) -> str:
    """``what`` (a plural: "spans", "releases") for ``n`` of them: "1 release", "2 releases"."""
    return what[:-1] if n == 1 and what.endswith("s") else what


@dataclass
class Report:
    """Everything one validation run found. ``ok`` is true when there is no error."""

    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # what was read: {"spans": 1234, ...}
    strict: bool = False

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """No errors (and, with ``strict``, no warnings either)."""
        return not self.errors and not (self.strict and self.warnings)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def extend(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)

    def merge(self, other: Report) -> None:
        self.findings.extend(other.findings)
        for key, value in other.checked.items():
            self.checked[key] = self.checked.get(key, 0) + value

    def sorted(self) -> list[Finding]:
        return sorted(self.findings, key=_sort_key)

    def counts_by_check(self) -> dict[str, int]:
        return dict(sorted(Counter(f.check for f in self.findings).items()))

    # -- renderings ------------------------------------------------------------------------------
    def summary(self) -> str:
        read = ", ".join(f"{n} {_counted(what, n)}" for what, n in self.checked.items() if n)
        verdict = "OK" if self.ok else "FAILED"
        return f"{verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)" + (
            f" — checked {read}" if read else ""
        )

    def to_text(self) -> str:
        """A plain-text rendering (for logs and exception messages)."""
        return "\n".join([self.summary(), *(f.to_text() for f in self.sorted())])

    def __str__(self) -> str:
        return self.to_text()

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "strict": self.strict,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "checked": dict(self.checked),
            "by_check": self.counts_by_check(),
            "findings": [f.to_dict() for f in self.sorted()],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), ensure_ascii=False, indent=2)

    def to_github(self) -> str:
        """GitHub Actions workflow commands: one ``::error``/``::warning`` line per finding."""
        out: list[str] = []
        for f in self.sorted():
            props = []
            if f.file:
                props.append(f"file={_gh_prop(f.file)}")
            if f.line is not None:
                props.append(f"line={f.line}")
            props.append(f"title={_gh_prop(f.check)}")
            where = ", ".join(
                p
                for p in (
                    f"article {f.article_id}" if f.article_id else "",
                    f"task {f.task_id}" if f.task_id else "",
                    f"annotation {f.annotation_id}" if f.annotation_id else "",
                    f"span {f.span_id}" if f.span_id else "",
                )
                if p
            )
            text = f"{f.message}" + (f" ({where})" if where else "")
            if f.value:
                text += f": {f.value}"
            if f.hint:
                text += f". Fix: {f.hint}"
            out.append(f"::{f.severity} {','.join(props)}::{_gh_data(text)}")
        out.append(self.summary())
        return "\n".join(out)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")
