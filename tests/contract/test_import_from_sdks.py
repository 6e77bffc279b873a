"""`tokendeck import` reads what the platforms' own tools leave on disk: the Dataloop SDK
(dtlpy, unchanged) signs in against the sandbox and writes its plaintext cookie.json; TokenDeck
imports that sign-in as an account, renews it with the imported refresh token, and takes the
tokens out of the cookie; dtlpy then reads its cookie as signed out, its other settings intact.
On the real keyring (scripts/desktop-session)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import need_secret_service
from tests.contract.sdk_venvs import sdk_python
from tests.prompts import NoPrompt
from tests.sandbox_process import RunningSandbox
from tokendeck.core.models import AccountStatus
from tokendeck.sandbox.world import DEMO_USER
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile

pytestmark = pytest.mark.sdk_contract

SIGN_IN = """
import json, sys
import dtlpy as dl
url, email = sys.argv[1], sys.argv[2]
dl.add_environment(environment=url + "/api/v1", gate_url=url, alias="tokendeck-sandbox")
dl.setenv("tokendeck-sandbox")
dl.login_m2m(email, sys.stdin.read(), force=True)
print(json.dumps(dl.client_api.token))
"""

AFTER = """
import json
import dtlpy as dl
dl.setenv("tokendeck-sandbox")
print(json.dumps({"token": dl.client_api.token, "refresh": dl.client_api.refresh_token,
                  "environment": dl.client_api.environment}))
"""


def _dtlpy(python: Path, home: Path, script: str, *words: str, given: str = "") -> object:
    done = subprocess.run(
        [str(python), "-c", script, *words],
        input=given,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home), "NO_PROXY": "127.0.0.1,localhost"},
        cwd=home,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


async def test_a_dtlpy_sign_in_is_imported_renewed_and_taken_out_of_its_cookie(
    profile: Profile, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    need_secret_service()
    url = sandbox.urls["Dataloop"]
    python = sdk_python("dtlpy", tmp_path)
    token = _dtlpy(python, tmp_path, SIGN_IN, url, DEMO_USER, given=sandbox.password)
    cookie = tmp_path / ".dataloop" / "cookie.json"
    assert isinstance(token, str) and token in cookie.read_text()  # the plaintext copy

    services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
    await services.aclose()
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tokendeck", "--profile", str(profile.data_dir), "import"),
            *("--yes", "--remove-plaintext", str(cookie)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"Imported: Dataloop sign-in of {DEMO_USER}." in done.stdout
    assert "1 credential taken out" in done.stdout
    assert token not in done.stdout + done.stderr

    services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
    try:
        account = await services.accounts.get(f"Dataloop ({DEMO_USER})")
        assert (account.host, account.status) == (url, AccountStatus.SIGNED_IN)
        renewed = await services.sessions.refresh(account)  # the imported refresh token works
        assert renewed.access.reveal() != token
        assert (await services.sessions.test(account)).ok
    finally:
        await services.aclose()

    after = _dtlpy(python, tmp_path, AFTER)
    assert after == {"token": None, "refresh": None, "environment": url + "/api/v1"}
    assert token not in cookie.read_text()
