"""`tokendeck exec ACCOUNT -- COMMAND` against the sandbox, on the real keyring: a small script
prints what it received (its variables, its umask, what its parent's environment holds)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import need_secret_service
from tests.flows.conftest import NoPrompt
from tokendeck.core.models import Account, AccountSettings, Platform
from tokendeck.core.secret import Secret
from tokendeck.platforms.registry import SPECS
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile

# Prints, as JSON: the variables asked for (argv[1:]), its umask, and whether each of their values
# is in its parent's (TokenDeck's) own environment.
SHOW = """
import json, os, sys
names = sys.argv[1:]
mask = os.umask(0); os.umask(mask)
parent = open(f"/proc/{os.getppid()}/environ", "rb").read().decode(errors="replace")
print(json.dumps({
    "env": {n: os.environ.get(n) for n in names},
    "umask": mask,
    "in_parent": {n: bool(os.environ.get(n)) and os.environ[n] in parent for n in names},
}))
"""


def _exec(profile: Path, *words: str, **run: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tokendeck", "--profile", str(profile), "exec", *words],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
        **run,
    )


def _show(profile: Path, account: str, *names: str, env: str | None = None) -> dict[str, Any]:
    words = [account, *(["--env", env] if env else []), "--", sys.executable, "-c", SHOW, *names]
    done = _exec(profile, *words)
    assert done.returncode == 0, done.stderr
    shown: dict[str, Any] = json.loads(done.stdout)
    return shown


async def _signed_in_dataloop(profile: Profile, world: SandboxWorld, **settings: Any) -> Account:
    services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
    try:
        account = await services.accounts.add(
            Account(
                id="",
                name="Dataloop exec",
                platform=Platform.DATALOOP,
                host=world.urls["dataloop"],
                settings=AccountSettings(**settings),
            ),
            {"username": DEMO_USER},
            {"password": Secret(world.password)},
        )
        return await services.sessions.sign_in(account)
    finally:
        await services.aclose()


async def test_the_command_gets_the_token_in_its_environment_only(
    profile: Profile, world: SandboxWorld
) -> None:
    need_secret_service()
    await _signed_in_dataloop(profile, world)
    shown = _show(profile.data_dir, "dataloop exec", "DATALOOP_TOKEN")
    token = shown["env"]["DATALOOP_TOKEN"]
    assert jwt.decode(token, options={"verify_signature": False})["email"] == DEMO_USER
    assert shown["in_parent"] == {"DATALOOP_TOKEN": False}, "TokenDeck's own environment"
    # --env names another variable
    other = _show(profile.data_dir, "dataloop exec", "MY_TOKEN", "DATALOOP_TOKEN", env="MY_TOKEN")
    assert other["env"]["MY_TOKEN"]
    assert other["env"]["DATALOOP_TOKEN"] is None


async def test_the_account_names_its_variable_and_the_user_umask_comes_back(
    profile: Profile, world: SandboxWorld
) -> None:
    need_secret_service()
    await _signed_in_dataloop(profile, world, exec_env="DL_JWT")
    before = os.umask(0o027)
    try:
        shown = _show(profile.data_dir, "dataloop exec", "DL_JWT", "DATALOOP_TOKEN")
    finally:
        os.umask(before)
    assert shown["env"]["DL_JWT"]
    assert shown["env"]["DATALOOP_TOKEN"] is None
    assert shown["umask"] == 0o027, "the user's umask, not TokenDeck's 077"


async def test_exit_codes_pass_through(profile: Profile, world: SandboxWorld) -> None:
    need_secret_service()
    await _signed_in_dataloop(profile, world)
    seven = _exec(profile.data_dir, "dataloop exec", "--", sys.executable, "-c", "exit(7)")
    assert seven.returncode == 7
    killed = _exec(
        profile.data_dir,
        "dataloop exec",
        "--",
        sys.executable,
        "-c",
        "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
    )
    assert killed.returncode == 128 + signal.SIGKILL
    missing = _exec(profile.data_dir, "dataloop exec", "--", "no-such-command-tdtest")
    assert missing.returncode == 127
    assert "no-such-command-tdtest: command not found" in missing.stderr
    nothing = _exec(profile.data_dir, "dataloop exec", "--")
    assert nothing.returncode == 2
    assert "no command given" in nothing.stderr
    bad_name = _exec(profile.data_dir, "dataloop exec", "--env", "1-X", "--", "true")
    assert bad_name.returncode == 2


async def test_nothing_runs_without_a_token(profile: Profile, world: SandboxWorld) -> None:
    need_secret_service()
    services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
    try:
        await services.accounts.add(
            Account(id="", name="Haut idle", platform=Platform.HAUT, host=world.urls["haut"]),
            {},
            {},
        )
    finally:
        await services.aclose()
    marker = profile.data_dir / "ran"
    touch = [sys.executable, "-c", f"open({str(marker)!r}, 'w')"]
    idle = _exec(profile.data_dir, "haut idle", "--", *touch)
    assert idle.returncode == 1
    assert "not signed in" in idle.stderr
    missing = _exec(profile.data_dir, "nope", "--", *touch)
    assert missing.returncode == 2
    assert not marker.exists(), "the command ran without a token"


async def test_signals_are_passed_on(profile: Profile, world: SandboxWorld) -> None:
    need_secret_service()
    await _signed_in_dataloop(profile, world)
    script = (
        "import signal, sys, time\n"
        "def done(number, frame):\n"
        "    print('got', signal.Signals(number).name, flush=True); sys.exit(42)\n"
        "signal.signal(signal.SIGTERM, done)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "tokendeck", "--profile", str(profile.data_dir)),
            *("exec", "dataloop exec", "--", sys.executable, "-c", script),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGTERM)  # to TokenDeck, which passes it on
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert out.strip() == "got SIGTERM", err
    assert proc.returncode == 42


async def test_encord_hands_over_the_ssh_key_as_its_sdk_reads_it(
    profile: Profile, world: SandboxWorld
) -> None:
    """A passphrase-protected key reaches the command decrypted (the SDK reads no passphrase
    from the environment), in ENCORD_SSH_KEY only: never in a file, never in TokenDeck's
    environment."""
    need_secret_service()
    key = serialization.load_ssh_private_key(world.encord_key.encode(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    protected = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.BestAvailableEncryption(b"tdtest-passphrase"),
    ).decode()
    services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
    try:
        account = await services.accounts.add(
            Account(id="", name="Encord exec", platform=Platform.ENCORD, host=world.urls["encord"]),
            {},
            {"private_key": Secret(protected), "passphrase": Secret("tdtest-passphrase")},
        )
        await services.sessions.sign_in(account)
    finally:
        await services.aclose()
    shown = _show(profile.data_dir, "encord exec", "ENCORD_SSH_KEY", "ENCORD_TOKEN")
    handed = serialization.load_ssh_private_key(shown["env"]["ENCORD_SSH_KEY"].encode(), None)
    assert isinstance(handed, Ed25519PrivateKey)
    raw = serialization.Encoding.Raw
    assert handed.public_key().public_bytes(raw, serialization.PublicFormat.Raw) == (
        key.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    )
    assert world.encord.state.bearers[shown["env"]["ENCORD_TOKEN"]][0] == DEMO_USER
    assert shown["in_parent"] == {"ENCORD_SSH_KEY": False, "ENCORD_TOKEN": False}


def test_the_help_names_each_platforms_variable(capsys: pytest.CaptureFixture[str]) -> None:
    from tokendeck.cli import main

    with pytest.raises(SystemExit):
        main(["exec", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for spec in SPECS:
        assert spec.exec_env in text, spec.platform
