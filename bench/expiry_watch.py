"""One expiry check against a catalog of 10,000 tokens, next to what a check used to cost.

    .venv/bin/python bench/expiry_watch.py [tokens]

The catalog is built through the project's API (`Catalog.add_account`, `upsert_credential`) with
a spread of expiries like a long-lived profile's: most far in the future, some without one, a
few revoked, a few dozen due within the week or already expired, and one account whose own
thresholds (30 days) widen the horizon. A first check fires and marks what is due; the timed
checks are the steady state that repeats every 15 s.

A: one `ExpiryWatcher.check()` by a new watcher (it reads the due credentials and their fired
   thresholds only);
C: one check by a watcher that checked before, the catalog unchanged (it reuses that read);
B: the load of every credential and account that each check used to start with (a lower bound
   of the old check: it also read every fired threshold).
They run interleaved, A C B A C B, over 15 rounds; the medians and their ratios are printed.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tokendeck.core.clock import ManualClock
from tokendeck.core.models import (
    Account,
    AccountSettings,
    Credential,
    CredentialKind,
    CredentialState,
    Platform,
)
from tokendeck.services.events import EventBus
from tokendeck.services.expiry_watcher import ExpiryWatcher
from tokendeck.services.standing import ExpiryPolicy, HeldCredential
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import Catalog

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ROUNDS = 15
ACCOUNTS = 20


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def _expiry(i: int) -> tuple[datetime | None, CredentialState]:
    """Most far out (2 months to 2 years), 1 in 10 without an expiry, 1 in 200 revoked, and
    1 in 250 due: within the week or already expired (40 of 10,000)."""
    if i % 250 == 7:
        return NOW + timedelta(hours=(i * 37) % 400 - 200), CredentialState.ACTIVE
    if i % 200 == 3:
        return NOW + timedelta(days=(i * 13) % 300 - 100), CredentialState.REVOKED
    if i % 10 == 0:
        return None, CredentialState.ACTIVE
    if i % 125 == 11:  # between the week and two months: within the 30-day account's reach
        return NOW + timedelta(days=8 + (i * 7) % 52), CredentialState.ACTIVE
    return NOW + timedelta(days=60 + (i * 97) % 670, seconds=i), CredentialState.ACTIVE


def _build(catalog: Catalog, tokens: int) -> None:
    accounts = []
    for n in range(ACCOUNTS):
        settings: dict[str, object] = {}
        if n == 0:
            settings = {"warn_thresholds": [30 * 86400, 7 * 86400, 86400]}
        elif n == 1:
            settings = {"warn_thresholds": [3600]}
        accounts.append(
            catalog.add_account(
                Account(
                    id="",
                    name=f"account {n:02d}",
                    platform=Platform.ENCORD,
                    host="https://h.example",
                    settings=AccountSettings.from_json(settings),
                )
            )
        )
    for i in range(tokens):
        expires_at, state = _expiry(i)
        catalog.upsert_credential(
            Credential(
                id=f"c{i:05d}",
                kind=CredentialKind.API_KEY if i % 3 else CredentialKind.PASTED_TOKEN,
                label=f"token {i:05d}",
                account_id=accounts[i % ACCOUNTS].id if i % 4 else None,
                expires_at=expires_at,
                state=state,
                secret_ref=f"r{i}",
            )
        )


async def run(tokens: int) -> int:
    with tempfile.TemporaryDirectory(prefix="td-expiry-bench-") as tmp:
        catalog = await AsyncCatalog.open(Path(tmp) / "catalog.sqlite3")
        try:
            start = time.perf_counter()
            await catalog._call(_build, tokens)
            built = time.perf_counter() - start
            policy = ExpiryPolicy()
            watcher = ExpiryWatcher(catalog, EventBus(), ManualClock(NOW), policy)
            first = await watcher.check()
            widest = await catalog.widest_warn_threshold()
            horizon = watcher.horizon(NOW, widest)
            due, _ = await catalog.due_credentials(horizon)

            checks: list[float] = []
            reused: list[float] = []
            loads: list[float] = []
            held = 0
            for _ in range(ROUNDS):
                fresh = ExpiryWatcher(catalog, EventBus(), ManualClock(NOW), policy)
                start = time.perf_counter()
                fired = await fresh.check()
                checks.append(time.perf_counter() - start)
                assert fired == [], "the steady state fires nothing new"
                start = time.perf_counter()
                assert await fresh.check() == []
                reused.append(time.perf_counter() - start)
                start = time.perf_counter()
                held = len(await _load_everything(catalog, policy))
                loads.append(time.perf_counter() - start)
        finally:
            await catalog.aclose()

    check, load = statistics.median(checks), statistics.median(loads)
    again = statistics.median(reused)
    print(f"tokens: {tokens} ({ACCOUNTS} accounts), built in {built:.1f} s")
    print(f"first check fired {len(first)} warnings; horizon {horizon - NOW} from now")
    print(f"rows a check reads: {len(due)} due credentials (loading everything reads {held})")
    print(f"A  ExpiryWatcher.check()   median {ms(check)}  max {ms(max(checks))}")
    print(f"C  the same, read reused   median {ms(again)}  max {ms(max(reused))}")
    print(f"B  load everything         median {ms(load)}  max {ms(max(loads))}")
    print(f"B / A = {load / check:.1f}x, B / C = {load / again:.1f}x  ({ROUNDS} rounds, A C B)")
    return 0


async def _load_everything(catalog: AsyncCatalog, policy: ExpiryPolicy) -> list[HeldCredential]:
    credentials = await catalog.list_credentials()
    accounts = await catalog.list_accounts()
    return policy.hold_all(credentials, {a.id: a for a in accounts})


if __name__ == "__main__":
    sys.exit(asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)))
