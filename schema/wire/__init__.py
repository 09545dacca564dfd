"""Label Studio wire format: what tasks files and exports hold, and the one place they are read
and written.

- :mod:`~stancebank.schema.wire.types`: TypedDicts of tasks, predictions, results, exports;
- :mod:`~stancebank.schema.wire.files`: reading tasks files and exports (JSON array or JSONL);
- :mod:`~stancebank.schema.wire.fields`: the one rule for a list field (``annotations``,
  ``predictions``, ``drafts``, ``result``) and the wording of one that is not a list;
- :mod:`~stancebank.schema.wire.results`: ``result`` lists → domain spans and relations, with the
  one relation-direction rule;
- :mod:`~stancebank.schema.wire.offsets`: where a region really is (UTF-16 and ``\\r\\n`` readings);
- :mod:`~stancebank.schema.wire.write`: domain spans and relations → results, articles → task data.
"""

from __future__ import annotations

from stancebank.schema.wire.fields import a_type, list_field, not_a_list
from stancebank.schema.wire.files import Record, check_task_list, iter_records, read_task_list
from stancebank.schema.wire.offsets import Located, OffsetProblem, locate_region, same_text
from stancebank.schema.wire.results import (
    IssueSink,
    NameTally,
    ParsedResults,
    RawAttribute,
    RawRegion,
    RawRelation,
    RawResults,
    orient,
    parse_results,
    split_results,
)
from stancebank.schema.wire.types import (
    LSAnnotation,
    LSExportTask,
    LSPrediction,
    LSResult,
    LSTask,
    LSTaskData,
    LSValue,
    TaskProvenance,
)
from stancebank.schema.wire.write import relation_result, span_results, task_data, to_results

__all__ = [
    "IssueSink",
    "LSAnnotation",
    "LSExportTask",
    "LSPrediction",
    "LSResult",
    "LSTask",
    "LSTaskData",
    "LSValue",
    "Located",
    "NameTally",
    "OffsetProblem",
    "ParsedResults",
    "RawAttribute",
    "RawRegion",
    "RawRelation",
    "RawResults",
    "Record",
    "TaskProvenance",
    "a_type",
    "check_task_list",
    "iter_records",
    "list_field",
    "locate_region",
    "not_a_list",
    "orient",
    "parse_results",
    "read_task_list",
    "relation_result",
    "same_text",
    "span_results",
    "split_results",
    "task_data",
    "to_results",
]
