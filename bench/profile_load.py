"""Exec → the Accounts table painted with a real-sized profile, next to a bare PySide6 reference.

Builds its profiles through the project's API: ACCOUNTS accounts with TOKENS credentials, each
secret written to the real system keyring (run it under scripts/desktop-session, which gives a
private gnome-keyring). Then runs, interleaved A B A B …, and prints medians and ratios:

  1. TokenDeck on that profile, until its Accounts table paints the rows
     (TOKENDECK_STARTUP_PROBE=rows: the accounts, their "Next expiry" still "…" while every
     credential is read), against a bare PySide6 window that reads the same rows from the same
     SQLite file with sqlite3 and paints them in a QTableView (target ≤ 1.5×);
  2. TokenDeck on that profile against TokenDeck on an empty profile (target ≤ 1.5×): the
     keyring's secrets must not delay what is on screen.

  scripts/desktop-session .venv/bin/python bench/profile_load.py [--accounts 200 --tokens 2000]

`--secrets none` builds the catalog only (as bench/idle.py does: the start-up check finds every
secret missing, in one listing): for the scale figures (1,000 accounts / 20,000 credentials),
which gnome-keyring would take an hour to write, one item at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from as_installed import installed_python

BARE = r"""
import sqlite3, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QTableView, QLabel

app = QApplication(["bare"])
w = QMainWindow(); tabs = QTabWidget(); view = QTableView()
tabs.addTab(view, "Accounts")
for name in ("API keys", "Tokens"):
    tabs.addTab(QLabel(name), name)
w.setCentralWidget(tabs); w.resize(1180, 760)
class P(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint:
            o.removeEventFilter(self)
            print(f"ROWS_SHOWN {time.time():.6f} {model.rowCount()}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
w.show()
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT name, platform, host, username, auth_method, status FROM accounts "
                  "ORDER BY name").fetchall()
model = QStandardItemModel(0, 7)
for row in rows:
    model.appendRow([QStandardItem(str(x)) for x in row] + [QStandardItem("")])
view.setModel(model)
p = P(); view.viewport().installEventFilter(p); app.exec()
"""


async def build(profile_dir: Path, accounts: int, tokens: int) -> None:
    """The profile through the project's own API, every secret in the real keyring."""
    from tokendeck.core.models import Account, Credential, CredentialKind, Platform
    from tokendeck.core.secret import Secret
    from tokendeck.storage.async_catalog import AsyncCatalog
    from tokendeck.storage.keyring_store import KeyringStore
    from tokendeck.storage.profile import resolve_profile
    from tokendeck.storage.secret_keeper import SecretKeeper

    profile = resolve_profile(str(profile_dir))
    profile.ensure()
    catalog = await AsyncCatalog.open(profile.catalog_path)
    namespace = await catalog.namespace()
    store = KeyringStore(namespace)
    keeper = SecretKeeper(catalog, store)
    now = datetime.now(UTC)
    per_account = max(1, tokens // max(1, accounts))
    for a in range(accounts):
        account = await catalog.add_account(
            Account(
                id="",
                name=f"Account {a:04d}",
                platform=Platform.HAUT,
                host="https://haut.example.test",
                username=f"user{a}@example.test",
                auth_method="private_token",
            ),
        )
        for t in range(per_account):
            await keeper.keep_new_secret(
                Credential(
                    id="",
                    kind=CredentialKind.API_KEY,
                    label=f"Key {t}",
                    account_id=account.id,
                    created_at=now,
                    expires_at=now + timedelta(days=1 + (a * per_account + t) % 400),
                ),
                Secret(f"tdbench-{a}-{t}-" + "x" * 40),
            )
    await store.aclose()
    await catalog.aclose()


def shown(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.time()
    out = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=300, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("ROWS_SHOWN"))
    _, stamp, rows, *_ = line.split()
    return float(stamp) - start, int(rows)


def main() -> int:
    python = installed_python()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("-n", type=int, default=7, help="runs of each (default 7)")
    parser.add_argument("--secrets", choices=("keyring", "none"), default="keyring")
    args = parser.parse_args()
    env = dict(os.environ, TOKENDECK_STARTUP_PROBE="rows")
    with tempfile.TemporaryDirectory() as full, tempfile.TemporaryDirectory() as empty:
        began = time.monotonic()
        if args.secrets == "keyring":
            asyncio.run(build(Path(full), args.accounts, args.tokens))
        else:
            from idle import build as build_catalog_only

            build_catalog_only(Path(full), args.accounts, args.tokens)
        print(
            f"built {args.accounts} accounts / {args.tokens} credentials, secrets: "
            f"{args.secrets}, in {time.monotonic() - began:.0f} s"
        )
        from tokendeck.storage.profile import resolve_profile

        catalog = str(resolve_profile(full).catalog_path)
        app_full = [python, "-m", "tokendeck", "--profile", full]
        app_empty = [python, "-m", "tokendeck", "--profile", empty]
        bare = [python, "-c", BARE, catalog]
        for cmd in (bare, app_full, app_empty):  # warm the OS file cache
            shown(cmd, env)
        times: dict[str, list[float]] = {"bare": [], "full": [], "empty": []}
        for _ in range(args.n):
            for name, cmd in (("bare", bare), ("full", app_full), ("empty", app_empty)):
                seconds, rows = shown(cmd, env)
                expected = 0 if name == "empty" else args.accounts
                if rows != expected:
                    raise SystemExit(f"{name}: {rows} rows shown, expected {expected}")
                times[name].append(seconds)
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, label in (
        ("bare", "bare PySide6 + sqlite3, same rows"),
        ("full", f"TokenDeck, {args.accounts} accounts / {args.tokens} credentials"),
        ("empty", "TokenDeck, empty profile"),
    ):
        runs = ", ".join(f"{x * 1000:.0f}" for x in times[name])
        print(f"{label:45s}: median {med[name] * 1000:7.1f} ms  (runs: {runs})")
    print(f"rows on screen vs bare reference: {med['full'] / med['bare']:.2f} (target ≤ 1.5)")
    print(f"full profile vs empty profile:    {med['full'] / med['empty']:.2f} (target ≤ 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
