"""`tokendeck token ACCOUNT` against the sandbox, on the real keyring."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jwt

from tests.conftest import need_secret_service
from tests.flows.conftest import NoPrompt
from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile


def _token(profile: Path, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tokendeck", "--profile", str(profile), "token", name],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


async def test_prints_a_fresh_token_and_refreshes(profile: Profile, world: SandboxWorld) -> None:
    need_secret_service()
    services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
    account = await services.accounts.add(
        Account(
            id="", name="Dataloop CLI", platform=Platform.DATALOOP, host=world.urls["dataloop"]
        ),
        {"username": DEMO_USER},
        {"password": Secret(world.password)},
    )
    world.dataloop.control.token_lifetime = 30
    await services.sessions.sign_in(account)
    first = await services.sessions.current_token(
        account, margin=__import__("datetime").timedelta(0)
    )
    not_signed = await services.accounts.add(
        Account(id="", name="Haut idle", platform=Platform.HAUT, host=world.urls["haut"]), {}, {}
    )
    await services.aclose()

    done = _token(profile.data_dir, "dataloop cli")
    assert done.returncode == 0, done.stderr
    printed = done.stdout.strip()
    assert printed != first.reveal(), "30 s left is under the 60 s margin: refreshed first"
    claims = jwt.decode(printed, options={"verify_signature": False})
    assert claims["email"] == DEMO_USER

    idle = _token(profile.data_dir, not_signed.name)
    assert idle.returncode == 1
    assert "not signed in" in idle.stderr
    missing = _token(profile.data_dir, "nope")
    assert missing.returncode == 2, missing.stderr
    assert "No account" in missing.stderr
    assert printed not in missing.stderr + idle.stderr
