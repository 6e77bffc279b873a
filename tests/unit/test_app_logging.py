"""The window's log: held in memory until its first rows are shown, then the profile's file;
nothing lost on the way, every record redacted."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tokendeck.app_logging import HeldLog, hold_logging

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw"


@pytest.fixture
def root_handlers() -> Iterator[None]:
    """The root logger as it was: what a test attached goes (and its file is closed)."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_records_wait_for_open_then_reach_the_file_in_order_and_redacted(
    tmp_path: Path, root_handlers: None
) -> None:
    path = tmp_path / "logs" / "tokendeck.log"
    held = hold_logging(path)
    log = logging.getLogger("tokendeck.test")
    log.info("first")
    log.info("token %s", TOKEN)
    assert not path.exists(), "the file waits for open()"
    held.open()
    log.info("after")
    lines = _lines(path)
    assert lines[0].endswith(": first")
    assert lines[-1].endswith("after")
    assert len(lines) == 3
    assert TOKEN not in path.read_text(encoding="utf-8")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_warning_opens_the_file_at_once(tmp_path: Path, root_handlers: None) -> None:
    path = tmp_path / "tokendeck.log"
    held = hold_logging(path)
    logging.getLogger("tokendeck.test").info("before")
    logging.getLogger("tokendeck.test").warning("something is wrong")
    assert held.is_open
    assert [line.split(" ", 3)[2] for line in _lines(path)] == ["INFO", "WARNING"]


def test_closing_writes_what_was_held(tmp_path: Path, root_handlers: None) -> None:
    """logging.shutdown closes every handler: a run that ends before open() keeps its records."""
    path = tmp_path / "tokendeck.log"
    held = hold_logging(path)
    logging.getLogger("tokendeck.test").info("the only record")
    held.close()
    assert _lines(path)[0].endswith("the only record")


def test_a_handler_added_after_the_hold_sees_every_record_and_the_file_each_once(
    tmp_path: Path, root_handlers: None
) -> None:
    """The warning that opens the file must not be written twice nor skip the next handler
    (the hold stays on the root logger: no handler list changes while a record walks it)."""
    path = tmp_path / "tokendeck.log"
    hold_logging(path)
    seen: list[str] = []

    class Seeing(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logging.getLogger().addHandler(Seeing())
    log = logging.getLogger("tokendeck.test")
    log.info("one")
    log.warning("two")
    log.info("three")
    assert seen == ["one", "two", "three"]
    assert [line.rsplit(": ", 1)[-1] for line in _lines(path)] == ["one", "two", "three"]


def test_records_from_threads_reach_the_file_once_each_in_order(
    tmp_path: Path, root_handlers: None
) -> None:
    path = tmp_path / "tokendeck.log"
    held = hold_logging(path)
    log = logging.getLogger("tokendeck.test")
    start = threading.Barrier(5)

    def write(name: str) -> None:
        start.wait()
        for index in range(300):
            log.info("%s %d", name, index)

    threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    start.wait()
    held.open()  # while they write
    for thread in threads:
        thread.join()
    messages = [line.rsplit(": ", 1)[-1].split() for line in _lines(path)]
    assert len(messages) == 1200
    for name in ("t0", "t1", "t2", "t3"):
        assert [int(i) for n, i in messages if n == name] == list(range(300))


def test_a_log_that_cannot_be_written_is_said_and_the_app_goes_on(
    tmp_path: Path, root_handlers: None, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the log folder should be")
    held = hold_logging(blocker / "tokendeck.log")
    log = logging.getLogger("tokendeck.test")
    log.warning("opens the file, which cannot be")
    log.error("and after")
    held.open()
    held.close()
    assert held.is_open
    assert "TokenDeck: no log file at" in capsys.readouterr().err


def test_open_is_idempotent(tmp_path: Path, root_handlers: None) -> None:
    held = HeldLog(tmp_path / "x.log")
    logging.getLogger().addHandler(held)
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("tokendeck.test").info("once")
    held.open()
    held.open()
    assert len(_lines(tmp_path / "x.log")) == 1


def test_holding_imports_neither_the_file_handler_nor_the_redaction(tmp_path: Path) -> None:
    """What the hold is for: neither is paid for before the first paint."""
    code = (
        "import sys; from pathlib import Path; from tokendeck.app_logging import hold_logging\n"
        f"held = hold_logging(Path({str(tmp_path / 'a.log')!r}))\n"
        "import logging; logging.getLogger('x').info('held')\n"
        "print('logging.handlers' in sys.modules, 'tokendeck.core.redaction' in sys.modules)\n"
        "held.open(); print('logging.handlers' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == ["False", "False", "True"]
    assert _lines(tmp_path / "a.log")[0].endswith("held")
