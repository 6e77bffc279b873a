"""`tokendeck exec` hands an account's credentials over as the platforms' own SDKs read them:
each SDK, unchanged, signs in from the environment `tokendeck exec` gave it, against the sandbox.
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
from tokendeck.core.models import Account, AccountSettings, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile

pytestmark = pytest.mark.sdk_contract

ENCORD_SSH = """
import json, os, sys
from encord import EncordUserClient
url = sys.argv[1]
by_key = EncordUserClient.create_with_ssh_private_key(domain=url)  # reads ENCORD_SSH_KEY
by_token = EncordUserClient.create_with_bearer_token(os.environ["ENCORD_TOKEN"], domain=url)
print(json.dumps([[p.title for p in c.list_projects()] for c in (by_key, by_token)]))
"""

# 0.1.145 reads the key from ENCORD_API_KEY; its docs say the resource comes from
# ENCORD_PROJECT_ID too, but its code never reads it: a script passes it.
ENCORD_LEGACY_KEY = """
import json, os, sys, warnings
warnings.simplefilter("ignore")
from encord.client import EncordClient
client = EncordClient.initialise(os.environ["ENCORD_PROJECT_ID"], domain=sys.argv[1])
print(json.dumps(client.get_project()["title"]))
"""

DATALOOP_TOKEN = """
import json, os, sys
import dtlpy as dl
url = sys.argv[1]
dl.add_environment(environment=url + "/api/v1", gate_url=url, alias="tokendeck-sandbox")
dl.setenv("tokendeck-sandbox")
dl.login_token(os.environ["DATALOOP_TOKEN"])
print(json.dumps([p.name for p in dl.projects.list()]))
"""


def _exec(profile: Path, account: str, python: Path, script: str, url: str, home: Path) -> object:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tokendeck", "--profile", str(profile), "exec", account),
            *("--", str(python), "-c", script, url),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
        env={**_plain_environment(), "HOME": str(home)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _plain_environment() -> dict[str, str]:
    """This environment without any variable an SDK would read on its own."""
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("ENCORD_", "DATALOOP_"))}


async def _add(
    profile: Profile, account: Account, inputs: dict[str, str], secrets: dict[str, Secret]
) -> Account:
    services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
    try:
        added = await services.accounts.add(account, inputs, secrets)
        return await services.sessions.sign_in(added)
    finally:
        await services.aclose()


async def test_encord_sdk_signs_in_with_what_exec_hands_over(
    profile: Profile, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    need_secret_service()
    url = sandbox.urls["Encord"]
    key = Secret(sandbox.encord_key_file.read_text())
    await _add(
        profile,
        Account(id="", name="Encord SDK", platform=Platform.ENCORD, host=url),
        {"project_hash": sandbox.encord_project},
        {"private_key": key},
    )
    python = sdk_python("encord", tmp_path)
    listed = _exec(profile.data_dir, "encord sdk", python, ENCORD_SSH, url, tmp_path)
    assert listed == [["Sandbox project"], ["Sandbox project"]]


async def test_encord_legacy_sdk_uses_the_key_exec_hands_over(
    profile: Profile, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    need_secret_service()
    url = sandbox.urls["Encord"]
    services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
    try:
        owner = await services.accounts.add(
            Account(id="", name="Encord owner", platform=Platform.ENCORD, host=url),
            {"project_hash": sandbox.encord_project},
            {"private_key": Secret(sandbox.encord_key_file.read_text())},
        )
        owner = await services.sessions.sign_in(owner)
        _, legacy_key = await services.keys.create_key(owner, "exec test", None, ("label.read",))
        legacy = await services.accounts.add(
            Account(id="", name="Encord key", platform=Platform.ENCORD, host=url),
            {"resource_hash": sandbox.encord_project},
            {"api_key": legacy_key},
        )
        await services.sessions.sign_in(legacy)
    finally:
        await services.aclose()
    python = sdk_python("encord-legacy", tmp_path)
    title = _exec(profile.data_dir, "encord key", python, ENCORD_LEGACY_KEY, url, tmp_path)
    assert title == "Sandbox project"


async def test_dtlpy_signs_in_with_the_token_exec_hands_over(
    profile: Profile, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    need_secret_service()
    url = sandbox.urls["Dataloop"]
    await _add(
        profile,
        Account(
            id="",
            name="Dataloop SDK",
            platform=Platform.DATALOOP,
            host=url,
            settings=AccountSettings(),
        ),
        {"username": DEMO_USER},
        {"password": Secret(sandbox.password)},
    )
    python = sdk_python("dtlpy", tmp_path)
    assert _exec(profile.data_dir, "dataloop sdk", python, DATALOOP_TOKEN, url, tmp_path) == [
        "Sandbox project"
    ]
