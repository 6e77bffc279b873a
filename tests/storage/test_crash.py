"""SIGKILL at random moments while credentials are being written, many times over.

After every kill: the catalog opens, `PRAGMA integrity_check` is ok, reconcile runs, and every
credential whose write was reported complete is there with its secret. TOKENDECK_CRASH_TRIALS
sets the number of kills per store (the closing notes report a long run).
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import need_secret_service
from tests.storage.conftest import FAST_SCRYPT
from tokendeck.core.secret import Secret
from tokendeck.storage.catalog import AsyncCatalog, Catalog
from tokendeck.storage.keyring_store import KeyringStore
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_keeper import SecretKeeper
from tokendeck.storage.secret_store import SecretStore
from tokendeck.storage.vault import Vault

TRIALS = int(os.environ.get("TOKENDECK_CRASH_TRIALS", "25"))
CHILD = Path(__file__).with_name("crash_child.py")
PASSWORD = "correct horse battery"


def _run_and_kill(profile: Path, store_kind: str, rng: random.Random) -> list[tuple[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(profile), store_kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write(PASSWORD + "\n")
    proc.stdin.close()
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    deadline = time.monotonic() + 30
    while not any(line.startswith("READY") for line in list(lines)) and time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"child exited early with {proc.returncode}")
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join(5)
    proc.stdout.close()
    done = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[0] == "DONE":
            done.append((parts[1], parts[2]))
    return done


@pytest.mark.slow
@pytest.mark.parametrize("store_kind", ["vault", "keyring"])
async def test_sigkill_never_loses_a_completed_write(profile: Profile, store_kind: str) -> None:
    if store_kind == "keyring":
        need_secret_service()
        store_kind = f"crash-{secrets.token_hex(4)}"
        store: SecretStore = KeyringStore(store_kind)
    else:
        store = await Vault.create(profile.vault_path, Secret(PASSWORD), FAST_SCRYPT)
    Catalog(profile.catalog_path).close()
    rng = random.Random(20261122)
    completed: dict[str, str] = {}
    reattached = lost = 0
    trials = TRIALS if store_kind == "vault" else max(5, TRIALS // 2)
    for _ in range(trials):
        for cred_id, digest in _run_and_kill(profile.data_dir, store_kind, rng):
            completed[cred_id] = digest
        catalog = await AsyncCatalog.open(profile.catalog_path)
        assert await catalog.run(catalog.sync.integrity_check) == "ok"
        if isinstance(store, Vault):
            store = await Vault.unlock(profile.vault_path, Secret(PASSWORD))
        report = await SecretKeeper(catalog, store).reconcile(check_held=False)
        reattached += len(report.reattached)
        lost += len(report.lost)
        for cred_id, digest in completed.items():
            credential = catalog.sync.get_credential(cred_id)
            assert credential is not None, "a completed write vanished"
            value = await store.get(credential.secret_ref or "")
            assert value is not None, "a completed write lost its secret"
            assert hashlib.sha256(value.reveal().encode()).hexdigest() == digest
        assert catalog.sync.list_pending() == []
        await catalog.aclose()
    print(
        f"\n{store_kind}: {trials} SIGKILL trials, {len(completed)} completed writes all intact, "
        f"{reattached} interrupted writes re-attached, {lost} reported lost (never stored)"
    )
    assert completed, "the child never completed a write: the test proved nothing"
    await store.aclose()
