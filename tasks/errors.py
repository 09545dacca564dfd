"""Errors of the tasks stage. Each names the input (file, line/record), the field and the fix."""

from __future__ import annotations

from stancebank.schema.errors import ExitCode, StancebankError


class TasksError(StancebankError):
    """Base error of ``stancebank tasks``."""

    exit_code = ExitCode.USAGE


class InputError(TasksError):
    """An input path cannot be used at all (missing, unreadable, unsupported)."""

    exit_code = ExitCode.USAGE


class ResourceError(TasksError):
    """A data file (boilerplate rules, gazetteer, lexicon) is malformed."""

    exit_code = ExitCode.USAGE


class ModelError(TasksError):
    """The spaCy pipeline named for pre-annotation cannot be loaded."""

    exit_code = ExitCode.SETUP


class PredictionError(TasksError):
    """A pre-annotation does not satisfy the spec or the text; it is never written."""

    exit_code = ExitCode.INPUT

    def __init__(self, article_id: str, problems: list[str]) -> None:
        self.article_id = article_id
        self.problems = problems
        shown = "; ".join(problems[:5]) + (f"; … {len(problems) - 5} more" if len(problems) > 5 else "")
        super().__init__(
            f"article {article_id}: invalid prediction ({shown}). This is a pre-annotator bug: "
            "report it with the article; rerun with --no-preannotate to build the task without it."
        )
