"""The adjudication list, and sending its articles back to Label Studio for a reviewer.

``write_review`` writes three files into a folder (never into the release):

- ``adjudication.json`` — the report: per article, its Label Studio task id and each conflict
  (kind, the span/attribute/relation, what each annotator — by pseudonym — said);
- ``review_tasks.json`` — Label Studio tasks to import into a review project: the article's
  ``data`` plus one *prediction per annotator*, so the reviewer sees every version side by side,
  picks one, fixes it and submits. Every prediction has the one ``model_version``
  :data:`REVIEW_MODEL_VERSION`: Label Studio shows a task only the predictions of its project's
  model version (set from the first import), so a version per annotator showed the reviewer one
  of them. Which annotator each version is (by pseudonym, in the order Label Studio shows them) is
  in the report's ``versions``, which ``stancebank studio review`` writes into the task's review
  column;
- ``review_task_ids.txt`` — the task ids in the original project, one per line, to filter the
  Data Manager (or to hand to ``stancebank studio``) when reviewing in place.

Both JSON files are arrays with one item per line, encoded by a C encoder and streamed (an
indented dump runs the pure-Python encoder: it once took 34 of a 54-second build); they hold no
floats, so :func:`~stancebank.schema.jsonio.encode_plain` (ujson) writes them, three times faster
than the :mod:`json` module's C encoder and with the same text. A build writes
the review tasks while it walks the articles (:class:`ReviewWriter`), from the annotations it has
just built for adjudication, instead of building them again afterwards.

``stancebank studio review`` pushes the review tasks into a review project; the reviewer submits
one annotation per task. Export that project (``studio pull``) and pass it to the next
``stancebank export build`` together with the others: exports merge by article id, and the
reviewer's verdict decides the article's conflicting items (starred as ground truth by a reviewer
who did not annotate the article, where ``[policy] ground_truth_by`` lets reviewers star: the whole
article; :mod:`stancebank.export.adjudicate`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from stancebank.export.adjudicate import Adjudication, is_review
from stancebank.export.reader import ExportData
from stancebank.schema.atomic import atomic_write_text
from stancebank.schema.jsonio import JsonArrayWriter, encode_plain
from stancebank.schema.model import Annotation, Article
from stancebank.schema.wire import LSTask, task_data, to_results

REPORT = "adjudication.json"
TASKS = "review_tasks.json"
TASK_IDS = "review_task_ids.txt"
FILES = (REPORT, TASKS, TASK_IDS)
# the model_version of every review prediction (an annotator's version): one for all, or Label
# Studio would show the reviewer only the predictions of one annotator
REVIEW_MODEL_VERSION = "stancebank-review"


def versions(annotations: Sequence[Annotation]) -> list[Annotation]:
    """The annotators' versions a review task offers (an earlier verdict is not one), in the order
    Label Studio shows them: its labeling screen lists a task's predictions newest first (tabs,
    left to right), and "Label All Tasks" pre-fills the first; so :func:`review_task` imports them
    in the reverse order."""
    return [ann for ann in annotations if not is_review(ann)]


def report_entry(
    adj: Adjudication,
    task_id: int | None,
    pseudonym: Callable[[str], str],
    annotations: Sequence[Annotation] = (),
) -> dict[str, Any]:
    """One conflicting article in ``adjudication.json``: its task id, each conflict, and whose
    version each prediction of its review task is (``versions``, pseudonyms in order)."""
    return {
        "article_id": adj.article_id,
        "task_id": task_id,
        "annotators": adj.num_annotators,
        "versions": [pseudonym(ann.annotator) for ann in versions(annotations)],
        "conflicts": [
            {
                "kind": c.kind,
                "item": c.item,
                "votes": {pseudonym(k): v for k, v in sorted(c.votes.items())},
            }
            for c in adj.conflicts
        ],
    }


def review_task(article: Article, annotations: Sequence[Annotation]) -> LSTask:
    """The review task of one conflicting article: its ``data`` and one prediction per annotator
    (all of model version :data:`REVIEW_MODEL_VERSION`; whose each is: :func:`report_entry`)."""
    return {
        "data": task_data(article),
        "predictions": [
            {"model_version": REVIEW_MODEL_VERSION, "result": to_results(ann.spans, ann.relations)}
            for ann in reversed(versions(annotations))  # shown newest first
        ],
    }


def review_tasks(conflicts: Sequence[Adjudication], data: ExportData) -> Iterator[LSTask]:
    for adj in sorted(conflicts, key=lambda a: a.article_id):
        yield review_task(data.articles[adj.article_id], data.annotations.get(adj.article_id, []))


class ReviewWriter:
    """The review files, written while a build walks its articles: :meth:`add` each conflicting
    article in article-id order with the annotations the build already has at hand (so they are not
    built a second time for the review) and its task id, then :meth:`finish`. Its review task and
    its entry of the report are written as it is added; only the article and task ids are kept (a
    100,000-task build has ~80,000 conflicting articles). Nothing is written before the first
    :meth:`add`; :meth:`abort` removes what was written."""

    def __init__(self, folder: Path, pseudonym: Callable[[str], str]) -> None:
        self.folder = folder
        self.pseudonym = pseudonym
        self.count = 0
        self._last: str | None = None
        self._task_ids: set[int] = set()
        self._tasks: JsonArrayWriter | None = None
        self._report: JsonArrayWriter | None = None

    def add(
        self, adj: Adjudication, article: Article, annotations: Sequence[Annotation], task_id: int | None
    ) -> None:
        if self._last is not None and adj.article_id <= self._last:
            raise ValueError(
                f"review of article {adj.article_id!r} added after {self._last!r}: "
                "add the articles in article-id order"
            )
        tasks, report = self._open()
        tasks.add(review_task(article, annotations))
        report.add(report_entry(adj, task_id, self.pseudonym, annotations))
        if task_id is not None:
            self._task_ids.add(task_id)
        self._last = adj.article_id
        self.count += 1

    def _open(self) -> tuple[JsonArrayWriter, JsonArrayWriter]:
        if self._tasks is None or self._report is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            # no floats in either file: the faster encoder writes the same text
            self._tasks = JsonArrayWriter(self.folder / TASKS, encode_plain)
            self._report = JsonArrayWriter(self.folder / REPORT, encode_plain)
        return self._tasks, self._report

    def finish(self) -> list[Path]:
        """Put the tasks file and the report in place and write the task ids next to them; the
        three files."""
        for writer in self._open():
            writer.close()
        self._tasks = self._report = None
        report, tasks, ids = (self.folder / name for name in FILES)
        atomic_write_text(ids, "".join(f"{t}\n" for t in sorted(self._task_ids)))
        return [report, tasks, ids]

    def abort(self, error: BaseException | None = None) -> None:
        for writer in (self._tasks, self._report):
            if writer is not None:
                writer.abort(error)
        self._tasks = self._report = None


def write_review(
    folder: Path,
    conflicts: Sequence[Adjudication],
    data: ExportData,
    pseudonym: Callable[[str], str],
    on_task: Callable[[], None] | None = None,
) -> list[Path]:
    """Write the three review files into ``folder`` (each atomically); ``on_task`` is called after
    each review task is encoded (progress)."""
    writer = ReviewWriter(folder, pseudonym)
    try:
        for adj in sorted(conflicts, key=lambda a: a.article_id):
            writer.add(
                adj,
                data.articles[adj.article_id],
                data.annotations.get(adj.article_id, []),
                data.task_ids.get(adj.article_id),
            )
            if on_task is not None:
                on_task()
    except BaseException as err:
        writer.abort(err)
        raise
    return writer.finish()
