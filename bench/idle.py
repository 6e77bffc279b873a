"""Idle cost with 10,000 tokens on screen: CPU, event-loop lateness and memory, against a bare
PySide6 window that shows the same number of rows and repaints its visible countdowns each second.

Builds a profile through the project's API (ACCOUNTS accounts holding TOKENS credentials, with
expiries spread over a year and a few due soon; their secrets are not written, so the start-up
check of the keyring reports them missing, in one listing). Runs TokenDeck on it with the Tokens
tab showing (TOKENDECK_STARTUP_PROBE=idle:SETTLE:SECONDS, see tokendeck/ui/probes.py) and the bare
reference, interleaved A B A B…, and prints medians and ratios. Targets (the "real-sized profiles"
issue): CPU ≤ 2× the reference and under 1 % of a core; 5 ms heartbeat max lateness ≤ 2× the
reference's; RSS ≤ 110 MiB. CPU is measured over SECONDS, then the heartbeat over SECONDS / 3
(its own wake-ups would otherwise count as CPU).

  scripts/desktop-session .venv/bin/python bench/idle.py [--tokens 10000 --seconds 30 -n 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from as_installed import installed_python

BARE = r"""
import sys, time
from datetime import datetime, timedelta, timezone
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget, QTableView


ROWS, SETTLE, SECONDS = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
now = datetime.now(timezone.utc)
expiry = [now + timedelta(seconds=(i * 977) % 31_536_000) for i in range(ROWS)]

class Model(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()): return 0 if parent.isValid() else ROWS
    def columnCount(self, parent=QModelIndex()): return 0 if parent.isValid() else 7
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if index.column() == 3:
            left = expiry[index.row()] - datetime.now(timezone.utc)
            return f"{left.days} d {left.seconds // 3600} h {left.seconds % 3600 // 60} min"
        return f"token {index.row()} / {index.column()}"

app = QApplication(["bare"])
w = QMainWindow(); tabs = QTabWidget(); view = QTableView(); model = Model()
view.setModel(model)
tabs.addTab(QLabel("Accounts"), "Accounts"); tabs.addTab(QLabel("API keys"), "API keys")
tabs.addTab(view, "Tokens"); tabs.setCurrentIndex(2)
w.setCentralWidget(tabs); w.resize(1180, 760); w.show()

def tick():
    top = view.rowAt(0); bottom = view.rowAt(view.viewport().height() - 1)
    if top < 0: return
    bottom = ROWS - 1 if bottom < 0 else bottom
    model.dataChanged.emit(model.index(top, 3), model.index(bottom, 3))
ticker = QTimer(); ticker.timeout.connect(tick); ticker.start(1000)

late, marks = [], {}
beat = QTimer(); beat.setTimerType(Qt.TimerType.PreciseTimer)
def on_beat():
    t = time.perf_counter(); late.append(max(0.0, (t - marks["last"]) * 1000 - 5)); marks["last"] = t
beat.timeout.connect(on_beat)
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
def measure():
    marks["cpu"], marks["wall"] = time.process_time(), time.perf_counter()
    QTimer.singleShot(int(SECONDS * 1000), lateness)
def lateness():
    marks["share"] = (time.process_time() - marks["cpu"]) / (time.perf_counter() - marks["wall"])
    marks["last"] = time.perf_counter(); beat.start(5)
    QTimer.singleShot(int(SECONDS * 1000 / 3), report)
def report():
    beat.stop(); s = sorted(late); cpu = marks["share"]
    p99 = s[min(len(s) - 1, int(len(s) * 0.99))] if s else 0.0
    print(f"IDLE cpu={cpu:.5f} late_max={s[-1] if s else 0:.2f} late_p99={p99:.2f} "
          f"rss={rss():.1f} rows={ROWS}", flush=True)
    app.quit()
QTimer.singleShot(int(SETTLE * 1000), measure)
app.exec()
"""


def build(profile_dir: Path, accounts: int, tokens: int) -> None:
    from tokendeck.core.models import Account, Credential, CredentialKind, Platform
    from tokendeck.storage.catalog import Catalog
    from tokendeck.storage.profile import resolve_profile

    profile = resolve_profile(str(profile_dir))
    profile.ensure()
    catalog = Catalog(profile.catalog_path)
    now = datetime.now(UTC)
    try:
        ids = [
            catalog.add_account(
                Account(
                    id="",
                    name=f"Account {a:04d}",
                    platform=Platform.HAUT,
                    host="https://haut.example.test",
                    auth_method="private_token",
                )
            ).id
            for a in range(accounts)
        ]
        for i in range(tokens):
            catalog.upsert_credential(
                Credential(
                    id=f"bench-{i}",
                    kind=CredentialKind.API_KEY if i % 3 else CredentialKind.PASTED_TOKEN,
                    label=f"token {i:05d}",
                    account_id=ids[i % len(ids)] if i % 3 else None,
                    created_at=now,
                    expires_at=now + timedelta(seconds=(i * 977) % 31_536_000),
                    secret_ref=f"ref-{i}",
                )
            )
    finally:
        catalog.close()


def idle(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=600, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("IDLE"))
    return {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}


def main() -> int:
    python = installed_python()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("-n", type=int, default=3, help="runs of each (default 3)")
    args = parser.parse_args()
    env = dict(os.environ, TOKENDECK_STARTUP_PROBE=f"idle:{args.settle}:{args.seconds}")
    with tempfile.TemporaryDirectory() as profile:
        build(Path(profile), args.accounts, args.tokens)
        app = [python, "-m", "tokendeck", "--profile", profile]
        bare = [python, "-c", BARE, str(args.tokens), str(args.settle), str(args.seconds)]
        runs: dict[str, list[dict[str, float]]] = {"bare": [], "app": []}
        for _ in range(args.n):
            runs["bare"].append(idle(bare, env))
            runs["app"].append(idle(app, env))
    med = {
        name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()
    }
    for name, label in (("bare", "bare PySide6"), ("app", "TokenDeck")):
        m = med[name]
        print(
            f"{label:13s}: cpu {m['cpu'] * 100:6.2f} % of a core  heartbeat late max "
            f"{m['late_max']:6.2f} ms p99 {m['late_p99']:5.2f} ms  RSS {m['rss']:6.1f} MiB  "
            f"rows {m['rows']:.0f}"
        )
    a, b = med["app"], med["bare"]
    print(f"CPU ratio: {a['cpu'] / max(b['cpu'], 1e-9):.2f} (target ≤ 2, and < 1 % of a core)")
    print(f"heartbeat max lateness ratio: {a['late_max'] / max(b['late_max'], 1e-9):.2f} (≤ 2)")
    print(f"RSS: {a['rss']:.1f} MiB (target ≤ 110)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
