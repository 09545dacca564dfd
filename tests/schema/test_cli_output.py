"""What the `stancebank` command prints around its work: -v shows stancebank's debug lines, not
those of the libraries it uses."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stancebank.schema.cli import configure_logging

CLI = [sys.executable, "-m", "stancebank.schema.cli"]
ENV = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.fixture
def restored_logging() -> Iterator[None]:
    names = ("", "stancebank", "httpx", "httpcore", "markdown_it")
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = list(logging.getLogger().handlers)
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_verbose_is_debug_for_stancebank_only(restored_logging: None) -> None:
    configure_logging(verbose=True)
    assert logging.getLogger("stancebank.tasks.studio.sync").isEnabledFor(logging.DEBUG)
    for library in ("httpcore", "markdown_it", "urllib3"):
        assert not logging.getLogger(library).isEnabledFor(logging.INFO), library
    assert logging.getLogger("httpx").isEnabledFor(logging.INFO)  # one line per request
    assert not logging.getLogger("httpx").isEnabledFor(logging.DEBUG)
    configure_logging()
    assert logging.getLogger("stancebank.export").isEnabledFor(logging.INFO)
    assert not logging.getLogger("stancebank.export").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    configure_logging(quiet=True)
    assert not logging.getLogger("stancebank.export").isEnabledFor(logging.INFO)


def test_verbose_output_has_no_library_debug_lines(tmp_path: Path) -> None:
    # `schema export` renders the guidelines with markdown-it, which logs every parser step at
    # DEBUG (about 3,800 lines before -v was scoped to stancebank's loggers)
    done = subprocess.run(
        [*CLI, "-v", "schema", "export", "--out", str(tmp_path / "artifacts")],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "entering " not in done.stderr, done.stderr[:2000]
    assert "httpcore" not in done.stderr and "sessionid" not in done.stderr
    assert len(done.stderr.splitlines()) < 20, done.stderr[:2000]
