"""The Tokens tab with 10,000 held tokens: load, one countdown tick, sort, filter, repaint.

Run on a display (scripts/desktop-session .venv/bin/python bench/tokens_table.py) or offscreen.
A tick must stay far below the 1 s it repeats at, and should not grow with the row count.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from tokendeck.core.models import Credential, CredentialKind
from tokendeck.services.door import Door
from tokendeck.services.standing import ExpiryPolicy
from tokendeck.ui.clipboard import ClipboardGuard
from tokendeck.ui.credentials_model import Column
from tokendeck.ui.ticker import Ticker
from tokendeck.ui.tokens_tab import TokensTab


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main(rows: int = 10_000) -> int:
    app = QApplication(sys.argv[:1])
    now = datetime.now(UTC)
    creds = [
        Credential(
            id=f"c{i}",
            kind=CredentialKind.API_KEY if i % 3 else CredentialKind.PASTED_TOKEN,
            label=f"token {i:05d}",
            expires_at=now + timedelta(seconds=(i * 97) % 200_000 - 10_000),
            secret_ref=f"r{i}",
        )
        for i in range(rows)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        tab = TokensTab(Door(), Ticker(), ClipboardGuard(), settings)
        tab.resize(1100, 700)
        tab.show()
        app.processEvents()
        start = time.perf_counter()
        tab.model.set_credentials(ExpiryPolicy().hold_all(creds, {}))
        tab.held.setCurrentIndex(1)
        app.processEvents()
        load = time.perf_counter() - start

        ticks, visible = [], 0
        for k in range(50):
            start = time.perf_counter()
            rows_on_screen = tab.visible_source_rows()
            tab.model.tick(now + timedelta(seconds=k), rows_on_screen)
            tab.view.viewport().repaint()
            ticks.append(time.perf_counter() - start)
            visible = len(rows_on_screen)

        start = time.perf_counter()
        tab.view.sortByColumn(Column.COUNTDOWN, Qt.SortOrder.DescendingOrder)
        app.processEvents()
        sort = time.perf_counter() - start
        start = time.perf_counter()
        tab.search.setText("token 09")
        app.processEvents()
        filtering = time.perf_counter() - start
        matched = tab.model.rowCount()
        tab.search.clear()
        app.processEvents()

    print(f"rows: {rows}, rows on screen: {visible}")
    print(f"load into the table       {ms(load)}")
    print(
        f"one tick (countdowns+paint) median {ms(statistics.median(ticks))}  max {ms(max(ticks))}"
    )
    print(f"sort by countdown         {ms(sort)}")
    print(f"filter 'token 09'         {ms(filtering)}  ({matched} rows match)")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
