"""Progress of an annotation project: per annotator (by pseudonym) and for the whole project.

The numbers come from the project's tasks with their annotations (annotator ids only), as Label
Studio's task list gives them with ``is_labeled`` and ``overlap`` of each task
(:mod:`stancebank.tasks.studio.snapcache`), or an export's tasks:

- per annotator: tasks annotated, tasks skipped (cancelled annotations), median and p90 of Label
  Studio's ``lead_time`` (seconds spent on a task), agreement with co-annotators on the tasks
  they share (span F1 exact and relation F1, the export's agreement code on each pair the
  annotator is part of), and the articles of theirs waiting for review (the export's
  adjudication finds a conflict);
- per project: tasks done (labeled as often as their overlap asks, and gold-ready — also when a
  reviewer's verdict settled the conflict: ``reviewed``), in review (labeled, but in conflict and
  no verdict yet), remaining (not labeled yet), the annotations still needed, the pace
  (annotations per hour over the last 7 days of work) and the estimated finish at that pace.

The verdicts come from the review project (``stancebank studio review``; default title
``<project> review``) when it exists: its tasks are read first (a few, the conflicting articles)
and each joins its article's annotations, which the export's adjudication then settles as
``export build`` would. A verdict is never counted as an annotator's work.

:func:`compute_progress` is pure (tasks + task states → :class:`Progress`), :class:`ProgressTally`
the same a page of tasks at a time; :func:`fetch_progress` talks to the server. Annotators appear
only as pseudonyms.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stancebank.export import (
    OVERALL,
    AgreementAccumulator,
    ExportReader,
    GoldPolicy,
    adjudicate_article,
    is_review,
)
from stancebank.tasks.studio.client import StudioClient

PACE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class TaskState:
    """What the task list says of a task: is it labeled as often as asked, and how often is that."""

    is_labeled: bool
    overlap: int


@dataclass
class AnnotatorProgress:
    pseudonym: str
    annotated: int = 0
    skipped: int = 0
    lead_time_median: float | None = None
    lead_time_p90: float | None = None
    shared_tasks: int = 0
    agreement_span_f1: float | None = None
    agreement_relation_f1: float | None = None
    waiting_review: int = 0


@dataclass
class ProjectProgress:
    title: str
    project_id: int
    tasks: int = 0
    done: int = 0
    reviewed: int = 0  # of the done tasks, those a reviewer's verdict settled
    in_review: int = 0
    remaining: int = 0
    annotations: int = 0
    skipped: int = 0
    annotations_needed: int = 0
    pace_per_hour: float | None = None
    eta: str | None = None
    agreement_span_f1: float | None = None
    agreement_relation_f1: float | None = None


@dataclass
class Progress:
    project: ProjectProgress
    annotators: list[AnnotatorProgress]
    # (UTC day, annotations made that day, cumulative): the "progress over time" chart
    timeline: list[tuple[str, int, int]] = field(default_factory=list)
    # pseudonym → lead times (s), for the "time per task" chart
    lead_times: dict[str, list[float]] = field(default_factory=dict)
    generated_at: str = ""

    def to_dict(self, *, with_lead_times: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "generated_at": self.generated_at,
            "project": asdict(self.project),
            "annotators": [asdict(a) for a in self.annotators],
            "timeline": [{"day": d, "annotations": n, "cumulative": c} for d, n, c in self.timeline],
        }
        if with_lead_times:
            body["lead_times"] = self.lead_times
        return body


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile (``q`` in 0..100): a value someone actually took."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _user_id(completed_by: Any) -> str | None:
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("id")
    if isinstance(completed_by, bool) or not isinstance(completed_by, int | str) or not str(completed_by):
        return None
    return f"ls:{completed_by}"


@dataclass(frozen=True)
class _Article:
    """What one article adds to the progress: its annotators, whether the export's adjudication
    finds a conflict (or a reviewer's verdict settled one: ``reviewed``), and its rows in the pair
    table (one per pair of annotators: row, a, b)."""

    annotators: tuple[str, ...]
    conflict: bool
    rows: tuple[tuple[int, str, str], ...]
    reviewed: bool = False


def _pooled(table: AgreementAccumulator, rows: Iterable[int], key: str) -> float | None:
    """The figure ``key`` over the given rows of ``table``: the sum of their numerators over the
    sum of their denominators (None when that is 0), as the accumulator's report pools every
    ratio figure over its rows (:class:`stancebank.export.agreement.ArticleTable`: per row, a
    numerator and a denominator per ratio key)."""
    stats = table.table
    width = 2 * len(stats.ratio_keys)
    column = 2 * stats.ratio_keys.index(key)
    num = den = 0
    for row in rows:
        num += stats.ratios[row * width + column]
        den += stats.ratios[row * width + column + 1]
    return num / den if den else None


class ProgressTally:
    """Progress accumulated a page of tasks at a time (as they come from the server), so that the
    work on a page overlaps the reading of the next one.

    Each page goes through its own :class:`ExportReader` and each of its articles through the
    export's adjudication and agreement code at once. An article whose tasks come in two pages
    (two tasks with one ``article_id``) is read again whole by :meth:`finish`, so the result is the
    one a single reader over all tasks gives. Agreement: each pair of an article's annotators is
    one row of one :class:`AgreementAccumulator` (the export's agreement code); an annotator's
    agreement pools the rows of their pairs and the project's pools every row, which is what one
    accumulator per annotator fed their pairs, and one fed every article, report (every ratio
    figure is a sum over pairs).

    ``reviews``: the review project's tasks; each joins the reader of the page that holds its
    article, so that a reviewer's verdict settles the article's conflict as in ``export build``."""

    def __init__(self, reviews: Sequence[dict[str, Any]] = (), policy: GoldPolicy | None = None) -> None:
        self.policy = policy if policy is not None else GoldPolicy()
        self.annotated: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.lead: dict[str, list[float]] = defaultdict(list)
        self.made_at: list[datetime] = []
        self.counted: dict[int, int] = {}  # task id → annotations that count toward its overlap
        self.article_of_task: dict[int, str] = {}
        self.pairs = AgreementAccumulator()
        self.articles: dict[str, _Article] = {}
        self._page_of: dict[str, int] = {}
        self._split: set[str] = set()
        self._pages: list[Sequence[dict[str, Any]]] = []
        self._reviews: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for task in reviews:
            data = task.get("data")
            if isinstance(data, dict) and isinstance(data.get("article_id"), str):
                self._reviews[data["article_id"]].append(task)

    def _add_reviews(self, reader: ExportReader, article_ids: Iterable[str], position: int) -> None:
        """The review tasks of these articles into ``reader`` (after the page's own tasks)."""
        for article_id in sorted(set(article_ids)):
            for task in self._reviews.get(article_id, ()):
                reader.add_task(task, "review project", 1, position)
                position += 1

    def add(self, tasks: Sequence[dict[str, Any]]) -> None:
        """One page of tasks (an export's tasks, or the task list's with the same fields)."""
        page = len(self._pages)
        self._pages.append(tasks)
        reader = ExportReader()
        page_articles: list[str] = []
        for position, task in enumerate(tasks):
            reader.add_task(task, "snapshot", 0, position)
            task_id = task.get("id")
            data = task.get("data")
            article_id = data.get("article_id") if isinstance(data, dict) else None
            if isinstance(article_id, str):
                page_articles.append(article_id)
            if isinstance(task_id, int) and isinstance(article_id, str):
                self.article_of_task[task_id] = article_id
                if self._page_of.setdefault(article_id, page) != page:
                    self._split.add(article_id)
            valid = 0
            for ann in task.get("annotations") or []:
                who = _user_id(ann.get("completed_by")) if isinstance(ann, dict) else None
                if who is None:
                    continue
                if ann.get("was_cancelled"):
                    self.skipped[who] += 1
                    continue
                valid += 1
                self.annotated[who] += 1
                lead_time = ann.get("lead_time")
                if isinstance(lead_time, int | float) and not isinstance(lead_time, bool) and lead_time >= 0:
                    self.lead[who].append(float(lead_time))
                stamp = _parse_time(ann.get("created_at"))
                if stamp is not None:
                    self.made_at.append(stamp)
            if isinstance(task_id, int):
                self.counted[task_id] = valid
        self._add_reviews(reader, page_articles, len(tasks))
        self._add_articles(reader)

    def _add_articles(self, reader: ExportReader, only: set[str] | None = None) -> None:
        data = reader.finish()
        for article_id in data.annotations:
            if only is not None and article_id not in only:
                continue
            anns = data.annotations[article_id]
            method = adjudicate_article(article_id, anns, policy=self.policy).method
            rows: list[tuple[int, str, str]] = []
            if len(anns) >= 2:
                for a, b in itertools.combinations(anns, 2):
                    row = len(self.pairs.table)
                    self.pairs.add([a, b])  # no row when one of them is a reviewer's verdict
                    if len(self.pairs.table) > row:
                        rows.append((row, a.annotator, b.annotator))
            annotators = tuple(a.annotator for a in anns if not is_review(a))
            if not annotators:  # only a verdict (its article's own tasks are in another page)
                continue
            self.articles[article_id] = _Article(
                annotators, method == "conflict", tuple(rows), reviewed=method == "reviewer"
            )

    def finish(
        self,
        title: str,
        project_id: int,
        states: Mapping[int, TaskState],
        pseudonym: Callable[[str], str],
        *,
        now: datetime | None = None,
    ) -> Progress:
        now = now or datetime.now(UTC)
        if self._split:  # articles in several pages: read all their tasks by one reader
            reader = ExportReader()
            position = 0
            for tasks in self._pages:
                for task in tasks:
                    data = task.get("data")
                    if isinstance(data, dict) and data.get("article_id") in self._split:
                        reader.add_task(task, "snapshot", 0, position)
                        position += 1
            self._add_reviews(reader, self._split, position)
            self._add_articles(reader, self._split)
            self._split = set()
        annotated, skipped, lead, made_at = self.annotated, self.skipped, self.lead, self.made_at
        shared: Counter[str] = Counter()
        waiting: Counter[str] = Counter()
        rows_of: dict[str, list[int]] = defaultdict(list)
        every_row: list[int] = []
        conflicts: set[str] = set()
        reviewed: set[str] = set()
        for article_id, article in self.articles.items():
            if article.reviewed:
                reviewed.add(article_id)
            if article.conflict:
                conflicts.add(article_id)
                waiting.update(article.annotators)
            if len(article.annotators) >= 2:
                shared.update(article.annotators)
                for who in article.annotators:
                    rows_of.setdefault(who, [])
            for row, a, b in article.rows:
                rows_of[a].append(row)
                rows_of[b].append(row)
                every_row.append(row)

        span_key, relation_key = f"span_f1_exact.{OVERALL}", f"relation_f1.{OVERALL}"
        people = sorted(set(annotated) | set(skipped), key=pseudonym)
        rows: list[AnnotatorProgress] = []
        for who in people:
            mine = rows_of.get(who)
            rows.append(
                AnnotatorProgress(
                    pseudonym=pseudonym(who),
                    annotated=annotated[who],
                    skipped=skipped[who],
                    lead_time_median=_round(statistics.median(lead[who]), 2) if lead[who] else None,
                    lead_time_p90=_round(percentile(lead[who], 90), 2),
                    shared_tasks=shared[who],
                    agreement_span_f1=None if mine is None else _round(_pooled(self.pairs, mine, span_key)),
                    agreement_relation_f1=(
                        None if mine is None else _round(_pooled(self.pairs, mine, relation_key))
                    ),
                    waiting_review=waiting[who],
                )
            )

        project = ProjectProgress(title=title, project_id=project_id, tasks=len(states))
        for task_id, state in states.items():
            if not state.is_labeled:
                project.remaining += 1
                project.annotations_needed += max(0, state.overlap - self.counted.get(task_id, 0))
            elif self.article_of_task.get(task_id) in conflicts:
                project.in_review += 1
            else:
                project.done += 1
                project.reviewed += int(self.article_of_task.get(task_id) in reviewed)
        project.annotations = sum(annotated.values())
        project.skipped = sum(skipped.values())
        project.agreement_span_f1 = _round(_pooled(self.pairs, every_row, span_key))
        project.agreement_relation_f1 = _round(_pooled(self.pairs, every_row, relation_key))

        if made_at:
            start = max(min(made_at), now - PACE_WINDOW)
            recent = sum(1 for t in made_at if t >= start)
            hours = max((now - start).total_seconds() / 3600, 1.0)  # at least an hour: no absurd pace
            project.pace_per_hour = _round(recent / hours, 2)
            if project.annotations_needed == 0:
                project.eta = now.isoformat(timespec="seconds")
            elif recent:
                project.eta = (now + timedelta(hours=project.annotations_needed * hours / recent)).isoformat(
                    timespec="seconds"
                )

        per_day = Counter(t.astimezone(UTC).date().isoformat() for t in made_at)
        cumulative = 0
        timeline = []
        for day in sorted(per_day):
            cumulative += per_day[day]
            timeline.append((day, per_day[day], cumulative))
        return Progress(
            project=project,
            annotators=rows,
            timeline=timeline,
            lead_times={pseudonym(w): sorted(v) for w, v in lead.items()},
            generated_at=now.isoformat(timespec="seconds"),
        )


def compute_progress(
    title: str,
    project_id: int,
    export_tasks: Iterable[dict[str, Any]],
    states: Mapping[int, TaskState],
    pseudonym: Callable[[str], str],
    *,
    now: datetime | None = None,
) -> Progress:
    """Progress from an export's tasks and the server's task states (see the module docstring)."""
    tally = ProgressTally()
    tally.add(list(export_tasks))
    return tally.finish(title, project_id, states, pseudonym, now=now)


TASK_STATE_FIELDS = "id,is_labeled,overlap"


def task_states(client: StudioClient, project_id: int, page_size: int = 5000) -> dict[int, TaskState]:
    """Each task's ``is_labeled`` and ``overlap`` as Label Studio keeps them (the task list with
    those fields only)."""
    states: dict[int, TaskState] = {}
    page = 0
    while True:
        page += 1
        params = {
            "project": project_id,
            "page": page,
            "page_size": page_size,
            "include": TASK_STATE_FIELDS,
            "resolve_uri": "false",
        }
        resp = client.request("GET", "/api/tasks/", params=params, expect=(200, 404))
        if resp.status_code == 404:  # past the last page
            break
        body = resp.json()
        tasks = body.get("tasks", [])
        states.update(states_from_tasks(tasks))
        if not tasks or len(states) >= int(body.get("total") or 0):  # pages may be capped smaller
            break
    return states


def states_from_tasks(tasks: Iterable[dict[str, Any]]) -> dict[int, TaskState]:
    """Task states as the task list gives them (``is_labeled`` and ``overlap`` of each task)."""
    return {
        int(t["id"]): TaskState(bool(t.get("is_labeled")), int(t.get("overlap") or 1))
        for t in tasks
        if isinstance(t.get("id"), int)
    }


def states_from_export(
    tasks: Sequence[dict[str, Any]], overlap: int, skipped_count: bool
) -> dict[int, TaskState]:
    """Task states when every task has the same overlap (the project's ``maximum_annotations``,
    i.e. ``overlap_cohort_percentage`` is 100): labeled once it has that many finished annotations
    — Label Studio's rule (``Task.completed_annotations``), skipped ones counting only when the
    project's skip queue is ``IGNORE_SKIPPED``."""
    states: dict[int, TaskState] = {}
    for task in tasks:
        task_id = task.get("id")
        if not isinstance(task_id, int):
            continue
        finished = sum(
            1
            for a in task.get("annotations") or []
            if isinstance(a, dict)
            and a.get("result") is not None
            and (skipped_count or not a.get("was_cancelled"))
        )
        states[task_id] = TaskState(finished >= overlap, overlap)
    return states


def fetch_progress(
    client: StudioClient,
    title: str,
    pseudonym: Callable[[str], str],
    *,
    reuse: bool = True,
    cache_dir: Path | None = None,
    review_project: str | None = None,
    policy: GoldPolicy | None = None,
) -> Progress:
    """Read the project's tasks and compute its progress, a page at a time while the next page is
    read (:func:`stancebank.tasks.studio.snapcache.current_tasks`). With ``reuse`` the tasks kept
    from the last run are brought up to date with the tasks changed since, otherwise every task is
    read; either way they are kept for the next run. The task states come from the tasks when
    every task has the same overlap, else from the server's ``is_labeled`` and ``overlap``: read
    with the tasks on a full read, listed on their own (those two fields) when only changes were
    read. The review project (``review_project``, default ``<title> review``), when there is one,
    is read first: its verdicts settle their articles' conflicts. ``policy``: the gold policy the
    articles are adjudicated with (the project file's, as ``export build`` applies it)."""
    from stancebank.tasks.studio.review import review_title
    from stancebank.tasks.studio.snapcache import current_tasks

    info = client.require_project(title)
    project_id = int(info["id"])
    # a review project named on purpose must exist; the default one may not (yet)
    review = (
        client.require_project(review_project) if review_project else client.find_project(review_title(title))
    )
    reviews = (
        current_tasks(client, int(review["id"]), cache_dir, reuse=reuse).tasks if review is not None else []
    )
    tally = ProgressTally(reviews, policy)
    fetched = current_tasks(client, project_id, cache_dir, reuse=reuse, consume=tally.add)
    if int(info.get("overlap_cohort_percentage", 100)) >= 100 or int(info.get("maximum_annotations", 1)) <= 1:
        overlap = max(1, int(info.get("maximum_annotations", 1)))
        states = states_from_export(fetched.tasks, overlap, info.get("skip_queue") == "IGNORE_SKIPPED")
    elif fetched.full:
        states = states_from_tasks(fetched.tasks)
    else:
        states = task_states(client, project_id)
    return tally.finish(title, project_id, states, pseudonym)


# -------------------------------------------------------------------------------------------- html


def _esc(value: object) -> str:
    import html

    return html.escape(str(value), quote=True)


def _fmt(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def _bars(
    items: Sequence[tuple[str, Sequence[float | None]]], maximum: float, unit: str, legend: Sequence[str]
) -> str:
    """Horizontal bars: one row per item, one bar per value (at most two, side by side in height)."""
    row_h, bar_h, label_w, width = 34, 12, 190, 640
    colors = ("#3b6ea8", "#e39b39")
    height = row_h * max(1, len(items)) + 30
    scale = (width - label_w - 70) / (maximum or 1)
    parts = [f'<svg width="{width}" height="{height}" role="img">']
    for i, (label, values) in enumerate(items):
        y = 8 + i * row_h
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{_esc(label)}</text>')
        for j, value in enumerate(values):
            if value is None:
                parts.append(f'<text x="{label_w}" y="{y + 11 + j * bar_h}" font-size="10">n/a</text>')
                continue
            w = max(1.0, value * scale)
            parts.append(
                f'<rect x="{label_w}" y="{y + j * bar_h}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{colors[j % 2]}"><title>{_esc(legend[j])}: {value:g} {unit}</title></rect>'
                f'<text x="{label_w + w + 4:.1f}" y="{y + j * bar_h + 9}" font-size="10">{value:g}</text>'
            )
    ly = height - 10
    for j, name in enumerate(legend):
        x = label_w + j * 210
        parts.append(f'<rect x="{x}" y="{ly - 9}" width="10" height="10" fill="{colors[j % 2]}"/>')
        parts.append(f'<text x="{x + 14}" y="{ly}" font-size="11">{_esc(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _timeline_svg(timeline: Sequence[tuple[str, int, int]], total_needed: int) -> str:
    width, height, left, bottom = 640, 220, 50, 30
    if not timeline:
        return "<p>No annotations yet.</p>"
    top_value = max(timeline[-1][2] + total_needed, 1)
    n = len(timeline)
    step = (width - left - 20) / max(1, n - 1)

    def y(v: float) -> float:
        return 10 + (height - bottom - 10) * (1 - v / top_value)

    points = " ".join(f"{left + i * step:.1f},{y(c):.1f}" for i, (_, _, c) in enumerate(timeline))
    parts = [
        f'<svg width="{width}" height="{height}" role="img">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 10}" y2="{y(0):.1f}" stroke="#999"/>',
        f'<line x1="{left}" y1="10" x2="{left}" y2="{y(0):.1f}" stroke="#999"/>',
        f'<line x1="{left}" y1="{y(top_value):.1f}" x2="{width - 10}" y2="{y(top_value):.1f}" '
        'stroke="#5a5" stroke-dasharray="4 3"><title>all annotations needed</title></line>',
        f'<text x="{left + 4}" y="{y(top_value) + 12:.1f}" font-size="10">goal {top_value}</text>',
        f'<text x="0" y="{y(0):.1f}" font-size="10">0</text>',
        f'<polyline points="{points}" fill="none" stroke="#3b6ea8" stroke-width="2"/>',
    ]
    for i, (day, made, cum) in enumerate(timeline):
        x = left + i * step
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(cum):.1f}" r="3" fill="#3b6ea8">'
            f"<title>{_esc(day)}: +{made}, {cum} in all</title></circle>"
        )
    parts.append(f'<text x="{left}" y="{height - 8}" font-size="10">{_esc(timeline[0][0])}</text>')
    if n > 1:
        parts.append(
            f'<text x="{width - 10}" y="{height - 8}" font-size="10" text-anchor="end">'
            f"{_esc(timeline[-1][0])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(progress: Progress) -> str:
    """One self-contained page (inline CSS and SVG, no script from the network, no fonts)."""
    import json

    p = progress.project
    people = progress.annotators
    summary = [
        ("tasks", p.tasks),
        ("done", p.done),
        ("of them settled by a reviewer", p.reviewed),
        ("in review", p.in_review),
        ("remaining", p.remaining),
        ("annotations", p.annotations),
        ("skipped", p.skipped),
        ("annotations still needed", p.annotations_needed),
        ("pace (annotations / hour, last 7 days)", _fmt(p.pace_per_hour)),
        ("estimated finish (UTC)", p.eta or "–"),
        ("agreement: span F1 exact", _fmt(p.agreement_span_f1, 3)),
        ("agreement: relation F1", _fmt(p.agreement_relation_f1, 3)),
    ]
    head = (
        "annotator",
        "annotated",
        "skipped",
        "median s/task",
        "p90 s/task",
        "shared tasks",
        "span F1",
        "relation F1",
        "waiting for review",
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if k else ""}" data-field="{field_name}">{_esc(v)}</td>'
            for k, (field_name, v) in enumerate(
                [
                    ("pseudonym", a.pseudonym),
                    ("annotated", a.annotated),
                    ("skipped", a.skipped),
                    ("lead_time_median", _fmt(a.lead_time_median)),
                    ("lead_time_p90", _fmt(a.lead_time_p90)),
                    ("shared_tasks", a.shared_tasks),
                    ("agreement_span_f1", _fmt(a.agreement_span_f1, 3)),
                    ("agreement_relation_f1", _fmt(a.agreement_relation_f1, 3)),
                    ("waiting_review", a.waiting_review),
                ]
            )
        )
        + "</tr>"
        for a in people
    )
    agreement = _bars(
        [(a.pseudonym, (a.agreement_span_f1, a.agreement_relation_f1)) for a in people],
        1.0,
        "",
        ("span F1 exact", "relation F1"),
    )
    slowest = max((a.lead_time_p90 or 0.0 for a in people), default=0.0)
    times = _bars(
        [(a.pseudonym, (a.lead_time_median, a.lead_time_p90)) for a in people],
        slowest,
        "s",
        ("median seconds per task", "p90 seconds per task"),
    )
    data = json.dumps(progress.to_dict(), ensure_ascii=False).replace("</", "<\\/")
    summary_rows = "".join(
        f'<tr><th>{_esc(k)}</th><td class="num" data-summary="{_esc(k)}">{_esc(v)}</td></tr>'
        for k, v in summary
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Progress — {_esc(p.title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 980px; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
h2 {{ margin-top: 1.6em; }} .note {{ color: #666; font-size: 90%; }}
</style></head><body>
<h1>Progress of {_esc(p.title)}</h1>
<p class="note">Label Studio project {p.project_id} · generated {_esc(progress.generated_at)} UTC ·
annotators are pseudonyms (a keyed hash), never names.</p>
<h2>Project</h2><table id="project">{summary_rows}</table>
<h2>Progress over time</h2><p class="note">Annotations made, cumulated per day; the dashed line is
what the project needs in all.</p>{_timeline_svg(progress.timeline, p.annotations_needed)}
<h2>Annotators</h2><table id="annotators"><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr>{rows}</table>
<h2>Agreement per annotator</h2><p class="note">With co-annotators, on the tasks they share.</p>{agreement}
<h2>Time per task</h2><p class="note">Label Studio's lead time, in seconds.</p>{times}
<script type="application/json" id="progress-data">{data}</script>
</body></html>
"""
