"""`tokendeck exec ACCOUNT -- COMMAND` against the sandbox, on the real keyring: a small script
prints what it received (its variables, its umask, whether a value is on its command line)."""

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

# Prints, as JSON: the variables asked for (argv[1:]), its umask, whether each value is on its
# own command line, and its pid (TokenDeck's: exec replaces the process).
SHOW = """
import json, os, sys
names = sys.argv[1:]
mask = os.umask(0); os.umask(mask)
cmdline = open("/proc/self/cmdline", "rb").read().decode(errors="replace")
print(json.dumps({
    "env": {n: os.environ.get(n) for n in names},
    "umask": mask,
    "on_command_line": {n: bool(os.environ.get(n)) and os.environ[n] in cmdline for n in names},
    "pid": os.getpid(),
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


def _show(
    profile: Path,
    account: str,
    *names: str,
    variable: str | None = None,
    environment: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the command received, run as `tokendeck exec ACCOUNT [--env VARIABLE] -- …`."""
    chosen = ["--env", variable] if variable else []
    words = [account, *chosen, "--", sys.executable, "-c", SHOW, *names]
    done = _exec(profile, *words, env=environment)
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
    assert shown["on_command_line"] == {"DATALOOP_TOKEN": False}
    assert token not in os.environ.values(), "the environment TokenDeck started with"
    # --env names another variable
    other = _show(
        profile.data_dir, "dataloop exec", "MY_TOKEN", "DATALOOP_TOKEN", variable="MY_TOKEN"
    )
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
    assert killed.returncode == -signal.SIGKILL, "ended by the signal itself, as the command was"
    missing = _exec(profile.data_dir, "dataloop exec", "--", "no-such-command-tdtest")
    assert missing.returncode == 127
    assert "no-such-command-tdtest: command not found" in missing.stderr
    not_runnable = profile.data_dir / "not-runnable"
    not_runnable.write_text("echo no shebang\n")
    not_runnable.chmod(0o600)
    denied = _exec(profile.data_dir, "dataloop exec", "--", str(not_runnable))
    assert denied.returncode == 126
    assert "cannot be run" in denied.stderr
    options = _exec(
        profile.data_dir,
        "dataloop exec",
        "--",
        sys.executable,
        "-c",
        "import sys; exit(len(sys.argv))",
        "--env",
        "x",
    )
    assert options.returncode == 3, "what follows -- is the command's, options included"
    nothing = _exec(profile.data_dir, "dataloop exec", "--")
    assert nothing.returncode == 2
    assert "no command given" in nothing.stderr
    for bad in ("1-X", "PATH", "LD_PRELOAD", "PYTHONPATH"):
        refused = _exec(profile.data_dir, "dataloop exec", "--env", bad, "--", "true")
        assert refused.returncode == 2, bad


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


async def test_signals_reach_the_command(profile: Profile, world: SandboxWorld) -> None:
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
        proc.send_signal(signal.SIGTERM)  # to the process TokenDeck started as
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
    # Variables the SDK would read instead, exported by the user's shell, are not passed on
    shell = {
        **os.environ,
        "ENCORD_SSH_KEY_FILE": "/home/someone/.ssh/other_key",
        "ENCORD_DATASET_ID": "another-dataset",
    }
    shown = _show(
        profile.data_dir,
        "encord exec",
        "ENCORD_SSH_KEY",
        "ENCORD_TOKEN",
        "ENCORD_SSH_KEY_FILE",
        "ENCORD_DATASET_ID",
        environment=shell,
    )
    handed = serialization.load_ssh_private_key(shown["env"]["ENCORD_SSH_KEY"].encode(), None)
    assert isinstance(handed, Ed25519PrivateKey)
    raw = serialization.Encoding.Raw
    assert handed.public_key().public_bytes(raw, serialization.PublicFormat.Raw) == (
        key.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    )
    assert world.encord.state.bearers[shown["env"]["ENCORD_TOKEN"]][0] == DEMO_USER
    assert shown["env"]["ENCORD_SSH_KEY_FILE"] is None
    assert shown["env"]["ENCORD_DATASET_ID"] is None
    assert not any(shown["on_command_line"].values())
    collision = _exec(profile.data_dir, "encord exec", "--env", "ENCORD_SSH_KEY", "--", "true")
    assert collision.returncode == 2
    assert "put the token in another variable" in collision.stderr


def test_the_help_names_each_platforms_variable(capsys: pytest.CaptureFixture[str]) -> None:
    from tokendeck.cli import main

    with pytest.raises(SystemExit):
        main(["exec", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for spec in SPECS:
        assert spec.exec_env in text, spec.platform
