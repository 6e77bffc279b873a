"""Measurements of the real app for the benches in bench/, switched on by TOKENDECK_STARTUP_PROBE.

Each probe prints one line on stdout and quits the app:
- any value but the ones below (bench/startup.py): `FIRST_PAINT <wall time> heavy=<modules>` at
  the main window's first paint, with the heavy modules already loaded by then;
- "rows" (bench/profile_load.py): `ROWS_SHOWN <wall time> <rows> heavy=<modules>` when the
  Accounts table first paints the catalog's rows (or the empty state, with 0);
- "qt-quit" (a test): `QApplication.quit()` once the first rows are shown, as a desktop session
  ending calls it;
- "idle:SETTLE:SECONDS" (bench/idle.py): after the Tokens tab has shown its rows and SETTLE
  seconds passed, `IDLE cpu=<share of a core> late_max=<ms> late_p99=<ms> rss=<MiB> rows=<n>`:
  the CPU over SECONDS, then a 5 ms heartbeat timer's lateness (how long the event loop kept it
  waiting) over SECONDS / 3.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from tokendeck.ui.paint_watch import OnPaint

if TYPE_CHECKING:
    from tokendeck.ui.main_window import MainWindow

HEAVY_MODULES = (
    "httpx",
    "keyring",
    "jwt",
    "cryptography",
    "secretstorage",
    "asyncio",
    "ssl",
    "sqlite3",
    "hashlib",  # OpenSSL's libcrypto (the single-instance key: storage/profile.sha256_hex)
    # What the window's frame does without (ui/main_window.py): the door and the engine's
    # models, the tabs.
    "tokendeck.services.door",
    "tokendeck.core.models",
    "tokendeck.ui.accounts_tab",
    "PySide6.QtNetwork",  # the single-instance check is Python's own socket (ui/single_instance.py)
)

HEARTBEAT_MS = 5


def install_probe(window: MainWindow, kind: str) -> None:
    """On the window's frame, before it is shown: the first paint's probe."""
    if kind not in ("rows", "qt-quit") and not kind.startswith("idle:"):
        _first_paint(window)


def install_furnished_probe(window: MainWindow, kind: str) -> None:
    """Once the window is furnished (its tabs exist): the probes that watch them."""
    if kind == "rows":
        _rows(window)
    elif kind.startswith("idle:"):
        _, settle, seconds = kind.split(":")
        _idle(window, float(settle), float(seconds))
    elif kind == "qt-quit":
        _qt_quit(window)


def _qt_quit(window: MainWindow) -> None:
    """Qt's own quit, as a desktop session ending asks it, once the first rows are shown."""
    from PySide6.QtWidgets import QApplication

    window.accounts_tab.rows_shown.connect(lambda: QTimer.singleShot(0, QApplication.quit))


def _quit_after(window: MainWindow, line: str) -> None:
    print(line, flush=True)
    QTimer.singleShot(0, window.request_quit)


def _first_paint(window: MainWindow) -> None:
    def painted() -> None:
        heavy = ",".join(heavy_loaded()) or "none"
        _quit_after(window, f"FIRST_PAINT {time.time():.6f} heavy={heavy}")

    window.installEventFilter(OnPaint(window, painted))


def heavy_loaded() -> list[str]:
    """The heavy modules loaded, and "Qt-namespace" once PySide has made the `Qt` namespace's
    enums (93 of them, 25 ms: made on the first `from PySide6.QtCore import Qt`)."""
    loaded = [m for m in HEAVY_MODULES if m in sys.modules]
    core = sys.modules.get("PySide6.QtCore")
    if core is not None and "Qt" in vars(core):
        loaded.append("Qt-namespace")
    return loaded


def _rows(window: MainWindow) -> None:
    table = window.accounts_tab.view.viewport()

    def shown(count: int) -> None:
        heavy = ",".join(heavy_loaded()) or "none"
        _quit_after(window, f"ROWS_SHOWN {time.time():.6f} {count} heavy={heavy}")

    def loaded(accounts: list[object]) -> None:
        window.accounts_tab.accounts_loaded.disconnect(loaded)
        if not accounts:  # the empty state is what is painted
            shown(0)
            return
        count = len(accounts)
        table.installEventFilter(OnPaint(window, lambda: shown(count)))
        table.update()

    window.accounts_tab.accounts_loaded.connect(loaded)


def rss_mib() -> float:
    """The resident set size now (Linux), in MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Heartbeat(QObject):
    """A precise timer every HEARTBEAT_MS: records how late each tick is (ms)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.lateness: list[float] = []
        self._timer = QTimer(self)
        from PySide6.QtCore import Qt

        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._beat)
        self._last = 0.0

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start(HEARTBEAT_MS)

    def _beat(self) -> None:
        now = time.perf_counter()
        self.lateness.append(max(0.0, (now - self._last) * 1000 - HEARTBEAT_MS))
        self._last = now

    def stop(self) -> list[float]:
        self._timer.stop()
        return sorted(self.lateness)


def idle_line(cpu: float, lateness: list[float], rows: int) -> str:
    p99 = lateness[min(len(lateness) - 1, int(len(lateness) * 0.99))] if lateness else 0.0
    late_max = lateness[-1] if lateness else 0.0
    return (
        f"IDLE cpu={cpu:.5f} late_max={late_max:.2f} late_p99={p99:.2f} "
        f"rss={rss_mib():.1f} rows={rows}"
    )


def _idle(window: MainWindow, settle: float, seconds: float) -> None:
    """CPU over `seconds` with nothing but the app running, then the heartbeat's lateness over
    a third of that (the heartbeat's own wake-ups would count as CPU otherwise)."""
    heartbeat = Heartbeat(window)
    marks: dict[str, float] = {}

    def measure_cpu() -> None:
        marks["cpu"], marks["wall"] = time.process_time(), time.perf_counter()
        QTimer.singleShot(int(seconds * 1000), measure_lateness)

    def measure_lateness() -> None:
        marks["share"] = (time.process_time() - marks["cpu"]) / (
            time.perf_counter() - marks["wall"]
        )
        heartbeat.start()
        QTimer.singleShot(int(seconds * 1000 / 3), report)

    def report() -> None:
        lateness = heartbeat.stop()
        rows = window.tokens_tab.model.rowCount()
        _quit_after(window, idle_line(marks["share"], lateness, rows))

    def poll() -> None:
        if window.tokens_tab.model.rowCount() and window.tokens_tab.view.isVisible():
            QTimer.singleShot(int(settle * 1000), measure_cpu)
        else:
            QTimer.singleShot(100, poll)

    window.tabs.setCurrentWidget(window.tokens_page)
    poll()
