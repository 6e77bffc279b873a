"""SIGKILL at random moments while a child keeps, rotates and deletes secrets, many times over.

After every kill: the catalog opens, `PRAGMA integrity_check` is ok, reconcile settles the
journal, and every change the child reported complete reads back as committed (or as the change
in flight when it died); long secrets are split into parts in the keyring, so a kill often lands
between parts. At the end everything is deleted and no piece of any secret may remain. The
keyring trials run on a private Secret Service (see reliability.PrivateSecretService): killing a
client mid-call can make gnome-keyring-daemon abort, which must not hit the shared test session.
TOKENDECK_CRASH_TRIALS sets the number of kills per store; bench/reliability_stores.py runs 200.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import need_tools
from tests.storage.reliability import PrivateSecretService, run_crash_trials

TRIALS = int(os.environ.get("TOKENDECK_CRASH_TRIALS", "20"))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["vault", "keyring"])
async def test_sigkill_during_writes_never_loses_a_committed_secret(
    tmp_path: Path, kind: str
) -> None:
    if kind == "keyring":  # the keyring is killed on a bus of its own (PrivateSecretService)
        need_tools(*PrivateSecretService.TOOLS)
    result = await run_crash_trials(
        tmp_path / "profile", kind, TRIALS if kind == "vault" else max(5, TRIALS // 2)
    )
    print(f"\n{result}")
    assert result.lost == []
    assert result.unchecked == 0
    assert result.committed > 0, "the child never completed a change: the test proved nothing"
    if kind == "keyring":
        assert result.leftovers == 0, "pieces of deleted secrets remain in the keyring"
    else:
        assert result.stale_temporaries == 0
