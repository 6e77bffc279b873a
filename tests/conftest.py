"""Shared fixtures: a fresh temporary profile per test, and the real desktop parts.

The real parts (an X display with a tray and a clipboard, a Secret Service) come from
scripts/desktop-session, which declares them in the environment (TOKENDECK_TEST_SESSION,
TOKENDECK_TEST_BUS, TOKENDECK_TEST_DISPLAY). Inside it, and in CI, a missing part fails the test.
Bare `pytest` outside it is the one opt-out: those tests skip, and the summary says how many did
not run. Inside it, any skip not listed in INTENDED_SKIPS fails the run.

The user's own keyring is never reached: outside desktop-session this process's session bus
address is replaced by one that does not exist (so neither this process nor anything it starts
can talk to the user's D-Bus session), and inside it the bus must be the private one it made."""

from __future__ import annotations

import gc
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tokendeck.storage.profile import PROFILE_ENV, Profile, resolve_profile

ROOT = Path(__file__).resolve().parent.parent

SESSION_ENV = "TOKENDECK_TEST_SESSION"
BUS_ENV = "TOKENDECK_TEST_BUS"
DISPLAY_ENV = "TOKENDECK_TEST_DISPLAY"
NO_BUS = "unix:path=/nonexistent/tokendeck-tests-have-no-session-bus-outside-desktop-session"
REAL_PART = "real part missing: "  # every skip for a missing real part starts with this


def in_private_session() -> bool:
    return bool(os.environ.get(SESSION_ENV))


def _real_parts_required() -> bool:
    return in_private_session() or bool(os.environ.get("CI"))


def _missing(what: str) -> None:
    message = f"{REAL_PART}{what}: run the suite with scripts/test"
    if _real_parts_required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def need_desktop(*tools: str) -> None:
    """The real X display (with `tools`) of scripts/desktop-session; fails inside it, and in CI,
    when a part is missing; skips (counted in the summary) under bare pytest."""
    missing = [t for t in tools if shutil.which(t) is None]
    display = os.environ.get("DISPLAY")
    if not display:
        missing.append("an X display ($DISPLAY)")
    elif in_private_session() and display != os.environ.get(DISPLAY_ENV):
        missing.append(f"the private X display (DISPLAY is {display})")
    if missing:
        _missing(f"needs {', '.join(missing)}")


def need_tools(*tools: str) -> None:
    """Programs a test runs (on parts of its own, e.g. a private bus): like need_desktop."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        _missing(f"needs {', '.join(missing)}")


def need_secret_service() -> None:
    """The private Secret Service of scripts/desktop-session, and no other: refuses to go on
    unless this process's session bus is the one desktop-session made (never the user's)."""
    if not in_private_session():
        _missing("needs the private Secret Service of scripts/desktop-session")
        return
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address != os.environ.get(BUS_ENV):
        pytest.fail(
            f"refusing to use a Secret Service: the session bus ({address or 'unset'}) is not "
            f"the private one scripts/desktop-session made ({os.environ.get(BUS_ENV)})",
            pytrace=False,
        )


def pytest_configure(config: pytest.Config) -> None:
    if in_private_session():
        address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        if not os.environ.get(BUS_ENV) or address != os.environ.get(BUS_ENV):
            raise pytest.UsageError(
                f"{SESSION_ENV} is set but the session bus ({address}) is not the private one "
                f"({os.environ.get(BUS_ENV)}): run the suite with scripts/test"
            )
        if os.environ.get("TOKENDECK_TEST_SECRET_SERVICE"):
            _python_keyring_skips_the_alias()
    else:
        # Outside desktop-session nothing may reach the user's session bus (their keyring):
        # jeepney and libdbus would fall back to $XDG_RUNTIME_DIR/bus if the variable were unset.
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = NO_BUS


def _python_keyring_skips_the_alias() -> None:
    """The tests' own python-keyring calls (entries of earlier releases, raw reads) go to the
    default collection's real path, as TokenDeck's do: python-keyring sends every call to
    .../aliases/default, which gnome-keyring can send astray while another client connects (see
    keyring_entries.default_collection_path). Set on the class, so no backend is chosen here."""
    import secretstorage
    from keyring.backends.SecretService import Keyring

    from tokendeck.storage.keyring_entries import default_collection_path

    connection = secretstorage.dbus_init()
    try:
        path = default_collection_path(connection)
    finally:
        connection.close()
    if path:
        Keyring.preferred_collection = path  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _session_bus_is_private() -> Iterator[None]:
    """Before and after every test: the bus this process would use is the private one (or none);
    a test that changes it must put it back (see tests/storage/reliability.PrivateSecretService)."""
    want = os.environ.get(BUS_ENV) if in_private_session() else NO_BUS
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS") == want, "the session bus changed"
    yield
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS") == want, "a test left another session bus"


@pytest.fixture(autouse=True)
def _umask_restored() -> Iterator[None]:
    """`tokendeck.cli.main` sets the process umask to 077 (its files are private): a test that
    calls it in-process must not leave it so for the tests, and the programs they start, after."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread() -> Iterator[None]:
    """Free a test's Qt leftovers here, not later inside some worker thread (see ui/gc_guard)."""
    yield
    gc.collect()


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    root = tmp_path / "profile"
    monkeypatch.setenv(PROFILE_ENV, str(root))
    prof = resolve_profile(root)
    prof.ensure()
    return prof


# -- skips ------------------------------------------------------------------------------------

# The only skips allowed inside scripts/desktop-session: (test id pattern, reason pattern, when).
INTENDED_SKIPS: list[tuple[str, str, bool]] = [
    # A private tmpfs needs root (mount namespaces); CI runs as root, so there it must run.
    (
        r"tests/storage/test_reliability\.py::test_a_full_file_system_raises_and_loses_no_secret",
        r"cannot mount a tmpfs|unshare is not installed",
        os.geteuid() != 0 and not os.environ.get("CI"),
    ),
]

_skipped: list[tuple[str, str]] = []  # (test id, reason) of every skip in this run


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _intended(nodeid: str, reason: str) -> bool:
    return any(
        when and re.search(test, nodeid) and re.search(why, reason)
        for test, why, when in INTENDED_SKIPS
    )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append((report.nodeid, _skip_reason(report)))


def _unintended() -> list[tuple[str, str]]:
    if not _real_parts_required():
        return []
    return [(n, r) for n, r in _skipped if not _intended(n, r)]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unintended() and exitstatus in (
        pytest.ExitCode.OK,
        pytest.ExitCode.NO_TESTS_COLLECTED,
    ):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    real = [n for n, r in _skipped if r.startswith(REAL_PART)]
    if real and not _real_parts_required():
        terminalreporter.write_sep(
            "!",
            f"{len(real)} tests needing the real desktop parts did NOT run (bare pytest): "
            "run scripts/test, or scripts/desktop-session .venv/bin/python -m pytest",
            yellow=True,
            bold=True,
        )
    unintended = _unintended()
    if unintended:
        terminalreporter.write_sep("!", f"{len(unintended)} unintended skips", red=True)
        for nodeid, reason in unintended:
            terminalreporter.write_line(f"SKIPPED {nodeid}: {reason}", red=True)
        terminalreporter.write_line(
            "Inside scripts/desktop-session (and in CI) every test must run: fix the cause, or "
            "list the skip in tests/conftest.py INTENDED_SKIPS with why.",
            red=True,
        )
