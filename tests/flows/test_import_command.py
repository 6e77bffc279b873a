"""`tokendeck import [PATH...]` as a person runs it, on the real keyring: with no terminal it
imports nothing without --yes and changes no file without --remove-plaintext; on a terminal it
asks which and whether; what it prints is masked and safe for the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jwt

from tests.conftest import need_secret_service
from tests.flows.test_plaintext_import import jwt_token
from tests.prompts import NoPrompt
from tokendeck.core.models import CredentialKind
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile


def _import(profile: Path, *words: str, **run: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "tokendeck", "--profile", str(profile), "import", *words],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        **{"stdin": subprocess.DEVNULL, **run},
    )


async def _tracked(profile: Profile) -> dict[str, str]:
    services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
    try:
        held = await services.catalog.list_credentials()
        out: dict[str, str] = {}
        for credential in held:
            if credential.kind is CredentialKind.PASTED_TOKEN:
                value = await services.keeper.read(credential)
                out[credential.label] = value.reveal() if value else ""
        return out
    finally:
        await services.aclose()


async def test_without_a_terminal_it_lists_and_imports_only_with_yes(
    profile: Profile, tmp_path: Path
) -> None:
    need_secret_service()
    await _tracked(profile)  # the profile exists, as after the window's first run
    token = jwt_token(email="cli@b.test")
    env = tmp_path / "work.env"
    env.write_text(f"# keep me\nDATALOOP_TOKEN={token}\nOTHER=1\n")

    listed = _import(profile.data_dir, str(env))
    assert listed.returncode == 0, listed.stderr
    assert "1. Dataloop token in DATALOOP_TOKEN" in listed.stdout
    assert token not in listed.stdout + listed.stderr
    assert "Run with --yes" in listed.stderr
    assert await _tracked(profile) == {}

    done = _import(profile.data_dir, "--yes", str(env))
    assert done.returncode == 0, done.stderr
    assert "Imported: Dataloop token in DATALOOP_TOKEN." in done.stdout
    assert "--remove-plaintext takes them out" in done.stderr
    assert env.read_text().count(token) == 1
    assert await _tracked(profile) == {"DATALOOP_TOKEN (work.env)": token}

    removed = _import(profile.data_dir, "--yes", "--remove-plaintext", str(env))
    assert removed.returncode == 0, removed.stderr
    assert "Already held: " in removed.stdout and "1 credential taken out" in removed.stdout
    assert env.read_text() == "# keep me\nOTHER=1\n"
    assert token not in removed.stdout + removed.stderr


async def test_on_a_terminal_it_asks_which_and_whether_to_take_the_copies_out(
    profile: Profile, tmp_path: Path
) -> None:
    need_secret_service()
    await _tracked(profile)
    first, second = jwt_token(email="one@b.test"), jwt_token(email="two@b.test")
    env = tmp_path / "evil\x1b]0;owned\x07.env"  # its name is in the question
    env.write_text(f"DATALOOP_TOKEN={first}\nHAUT_AI_TOKEN={second}\n")
    controller, terminal = os.openpty()
    try:
        os.write(controller, b"2\ny\n")  # the terminal holds the answers until they are read
        done = _import(profile.data_dir, str(env), stdin=terminal)
    finally:
        os.close(controller)
        os.close(terminal)
    assert done.returncode == 0, done.stderr
    assert "Import which?" in done.stderr and "Take the plaintext copies out of" in done.stderr
    assert "\x1b" not in done.stderr + done.stdout and "evil\\u001b]0;owned" in done.stderr
    assert await _tracked(profile) == {"HAUT_AI_TOKEN (evil]0;owned.env)": second}
    assert env.read_text() == f"DATALOOP_TOKEN={first}\n"


async def test_what_it_prints_cannot_drive_the_terminal_and_nothing_found_exits_2(
    profile: Profile, tmp_path: Path
) -> None:
    need_secret_service()
    await _tracked(profile)
    cookie = tmp_path / "cookie.json"
    hostile = jwt.encode({"exp": 4_000_000_000}, "k" * 32)
    alias = "\x1b]52;c;cHduZWQ=\x07evil"
    cookie.write_text(
        json.dumps(
            {"login_parameters": {"https://x.test/api/v1": {"token": hostile, "alias": alias}}}
        )
    )
    listed = _import(profile.data_dir, "--list", str(cookie))
    assert listed.returncode == 0, listed.stderr
    assert "Dataloop sign-in of" in listed.stdout
    assert "\x1b" not in listed.stdout + listed.stderr and "\x07" not in listed.stdout
    assert "becomes the account “Dataloop (]52;c;cHduZWQ=evil)”" in listed.stdout

    empty = tmp_path / "empty.env"
    empty.write_text("NOTHING=here\n")
    nothing = _import(profile.data_dir, str(empty))
    assert nothing.returncode == 2
    assert "nothing TokenDeck knows" in nothing.stderr and "Nothing to import." in nothing.stderr
