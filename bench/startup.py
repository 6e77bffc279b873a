"""Time from process start to the first paint of the main window, next to a bare PySide6 window.

Run it on a display (scripts/desktop-session .venv/bin/python bench/startup.py) or offscreen
(QT_QPA_PLATFORM=offscreen). Prints the median of N runs of each and the ratio; target ≤ 1.3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from as_installed import installed_python

BARE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QLabel

app = QApplication(["bare"])
w = QMainWindow(); tabs = QTabWidget()
for name in ("Accounts", "API keys", "Tokens"):
    tabs.addTab(QLabel(name), name)
w.setCentralWidget(tabs); w.resize(1180, 760)
class P(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint:
            o.removeEventFilter(self)
            print(f"FIRST_PAINT {time.time():.6f} heavy=none", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
p = P(); w.installEventFilter(p); w.show(); app.exec()
"""


def first_paint(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.time()
    out = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=60, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("FIRST_PAINT"))
    _, stamp, heavy = line.split()
    return float(stamp) - start, heavy.removeprefix("heavy=")


def main() -> int:
    python = installed_python()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=7, help="runs of each (default 7)")
    args = parser.parse_args()
    env = dict(os.environ, TOKENDECK_STARTUP_PROBE="1")
    bare, app, heavy_seen = [], [], set()
    with tempfile.TemporaryDirectory() as profile:
        first_paint([python, "-c", BARE], env)  # warm the OS file cache for both
        first_paint([python, "-m", "tokendeck", "--profile", profile], env)
        for _ in range(args.n):
            bare.append(first_paint([python, "-c", BARE], env)[0])
            seconds, heavy = first_paint([python, "-m", "tokendeck", "--profile", profile], env)
            app.append(seconds)
            heavy_seen.add(heavy)
    b, a = statistics.median(bare), statistics.median(app)
    print(
        f"bare PySide6 window : median {b * 1000:7.1f} ms  (runs: {', '.join(f'{x * 1000:.0f}' for x in bare)})"
    )
    print(
        f"TokenDeck main window: median {a * 1000:7.1f} ms  (runs: {', '.join(f'{x * 1000:.0f}' for x in app)})"
    )
    print(f"heavy modules loaded before first paint: {', '.join(sorted(heavy_seen))}")
    print(f"ratio: {a / b:.2f} (target ≤ 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
