"""Import from plaintext against the sandbox: files the tests write as the tools and habits do
(the Dataloop SDK's cookie.json, .env files, an Encord key file), found, imported, read back,
used, and their plaintext copies taken out (only what is unchanged)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tokendeck.core.models import AccountStatus, CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.services.plaintext_model import FindKind, Imported, Outcome


def dataloop_tokens(world: SandboxWorld) -> tuple[str, str, str]:
    """(e-mail, id_token, refresh_token) of a fresh sandbox user, as dtlpy's sign-in gets them."""
    email = f"import.{secrets.token_hex(4)}@sandbox.test"
    password = "tdtest-" + secrets.token_urlsafe(12)
    world.dataloop.add_user(email, password)
    answer = httpx.post(
        f"{world.urls['dataloop']}/token?default",
        json={"username": email, "password": password, "type": "user_credentials"},
        timeout=10,
    ).json()
    return email, answer["id_token"], answer["refresh_token"]


def write_cookie(home: Path, world: SandboxWorld, token: str, refresh: str) -> Path:
    """A cookie.json as dtlpy 1.126 writes it (dtlpy/services/api_client.py add_environment)."""
    url = world.urls["dataloop"]
    cookie = home / ".dataloop" / "cookie.json"
    cookie.parent.mkdir(parents=True)
    cookie.write_text(
        json.dumps(
            {
                "url": url + "/api/v1",
                "login_parameters": {
                    "https://gate.dataloop.ai/api/v1": {"alias": "prod", "token": None},
                    url + "/api/v1": {
                        "audience": None,
                        "client_id": None,
                        "auth0_url": None,
                        "alias": "tokendeck-sandbox",
                        "token": token,
                        "gate_url": url,
                        "refresh_token": refresh,
                        "verify_ssl": True,
                    },
                },
                "calls_counter": {"total": 3},
            },
            indent=2,
        )
    )
    return cookie


def openssh_key() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        .decode()
    )


def jwt_token(**claims: object) -> str:
    return jwt.encode({"sub": "someone", "exp": 4_000_000_000, **claims}, "k" * 32)


def _everything_said(items: list[Imported]) -> str:
    return " ".join(
        f"{i.message} {i.find.what} {i.find.name} {i.find.shown} {i.find!r}" for i in items
    )


async def test_a_dtlpy_cookie_becomes_a_signed_in_account_renewed_with_its_refresh_token(
    services: AppServices, world: SandboxWorld, tmp_path: Path
) -> None:
    email, token, refresh = dataloop_tokens(world)
    cookie = write_cookie(tmp_path, world, token, refresh)
    scanned = await services.imports.scan([cookie])
    assert scanned.problems == []
    [find] = scanned.finds  # the environment without a token is not offered
    assert find.kind is FindKind.SDK_SESSION
    assert find.what == f"Dataloop sign-in of {email}"
    assert find.host == world.urls["dataloop"]
    assert token not in find.shown and find.shown.startswith(token[:4])

    [done] = await services.imports.import_finds(scanned.finds)
    assert (done.outcome, done.verified) == (Outcome.IMPORTED, True), done.message
    account = await services.accounts.get(f"Dataloop ({email})")
    assert (account.platform, account.username, account.status) == (
        Platform.DATALOOP,
        email,
        AccountStatus.SIGNED_IN,
    )
    assert (await services.sessions.current_token(account)).reveal() == token
    renewed = await services.sessions.refresh(account)  # with the imported refresh token
    assert renewed.access.reveal() != token
    assert (
        jwt.decode(renewed.access.reveal(), options={"verify_signature": False})["email"] == email
    )

    [removed] = await services.imports.remove_plaintext([done])
    assert removed.removed == 1
    after = json.loads(cookie.read_text())
    entry = after["login_parameters"][world.urls["dataloop"] + "/api/v1"]
    assert "token" not in entry and "refresh_token" not in entry
    assert entry["alias"] == "tokendeck-sandbox" and after["calls_counter"] == {"total": 3}
    assert (cookie.stat().st_mode & 0o777) == 0o600
    actions = [e.action for e in await services.catalog.audit_log()]
    assert "plaintext.import" in actions and "plaintext.remove" in actions
    assert token not in _everything_said([done]) + removed.message


async def test_an_expired_cookie_token_without_a_refresh_token_needs_a_sign_in(
    services: AppServices, world: SandboxWorld, tmp_path: Path
) -> None:
    expired = jwt_token(email="old@sandbox.test", exp=1_000_000)
    cookie = write_cookie(tmp_path, world, expired, "")
    [find] = (await services.imports.scan([cookie])).finds
    assert "Already expired" in find.note and "No refresh token" in find.note
    [done] = await services.imports.import_finds([find])
    account = await services.accounts.get("Dataloop (old@sandbox.test)")
    assert done.verified and account.status is AccountStatus.NEEDS_LOGIN


ENV_TEXT = """\
# the team's settings
export DATALOOP_TOKEN="{dataloop}"
UNRELATED_SECRET=leave-me-alone   # not TokenDeck's
HAUT_AI_TOKEN = '{haut}'
ENCORD_SSH_KEY="{key}"
ENCORD_API_KEY={legacy}
ENCORD_PROJECT_ID=00000000-1111-2222-3333-444444444444
"""


async def test_a_dot_env_file_gives_only_the_variables_tokendeck_knows_and_keeps_the_rest(
    services: AppServices, tmp_path: Path
) -> None:
    dataloop, haut = jwt_token(email="a@b.test"), jwt_token(iss="haut")
    key, legacy = openssh_key(), "legacy-" + secrets.token_urlsafe(24)
    env = tmp_path / ".env"
    env.write_text(
        ENV_TEXT.format(dataloop=dataloop, haut=haut, key=key.replace("\n", "\\n"), legacy=legacy)
    )
    scanned = await services.imports.scan([env])
    kinds = [(f.kind, f.place) for f in scanned.finds]
    assert kinds == [
        (FindKind.TRACKED, "line 2 (DATALOOP_TOKEN)"),
        (FindKind.TRACKED, "line 4 (HAUT_AI_TOKEN)"),
        (FindKind.SSH_KEY, "line 5 (ENCORD_SSH_KEY)"),
        (FindKind.LEGACY_KEY, "line 6 (ENCORD_API_KEY)"),
    ]
    assert scanned.finds[2].shown.startswith("SHA256:")
    imported = await services.imports.import_finds(scanned.finds)
    assert [(i.outcome, i.verified) for i in imported] == [(Outcome.IMPORTED, True)] * 4
    tracked = {
        c.label
        for c in await services.catalog.list_credentials()
        if c.kind is CredentialKind.PASTED_TOKEN
    }
    assert tracked == {"DATALOOP_TOKEN (.env)", "HAUT_AI_TOKEN (.env)"}
    encord = await services.accounts.get("Encord (.env)")
    assert (await services.accounts.secret_inputs(encord))[
        "private_key"
    ].reveal().strip() == key.strip()
    legacy_account = await services.accounts.get("Encord (00000000)")
    assert legacy_account.settings.inputs == {
        "resource_hash": "00000000-1111-2222-3333-444444444444"
    }

    results = await services.imports.remove_plaintext(imported)
    assert [r.removed for r in results] == [4]
    assert env.read_text() == (
        "# the team's settings\n"
        "UNRELATED_SECRET=leave-me-alone   # not TokenDeck's\n"
        "ENCORD_PROJECT_ID=00000000-1111-2222-3333-444444444444\n"
    )
    said = _everything_said(imported) + " ".join(r.message for r in results)
    for value in (dataloop, haut, legacy, key.splitlines()[1]):
        assert value not in said
    log = " ".join(f"{e.detail}" for e in await services.catalog.audit_log())
    assert all(value not in log for value in (dataloop, haut, legacy))


async def test_an_import_repeated_is_already_held_and_a_changed_file_keeps_its_value(
    services: AppServices, tmp_path: Path
) -> None:
    token = jwt_token(email="twice@b.test")
    env = tmp_path / "project.env"
    env.write_text(f"DATALOOP_TOKEN={token}\n")
    first = await services.imports.import_finds((await services.imports.scan([env])).finds)
    again = await services.imports.import_finds((await services.imports.scan([env])).finds)
    assert [(i.outcome, i.verified) for i in first + again] == [
        (Outcome.IMPORTED, True),
        (Outcome.ALREADY_HELD, True),
    ]
    changed = jwt_token(email="changed@b.test")
    env.write_text(f"DATALOOP_TOKEN={changed}\n")  # edited after it was read
    [result] = await services.imports.remove_plaintext(again)
    assert result.removed == 0 and "kept, changed since it was read" in result.message
    assert env.read_text() == f"DATALOOP_TOKEN={changed}\n"


async def test_a_key_file_is_deleted_only_after_it_was_read_back(
    services: AppServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "encord-key"
    key_file.write_text(openssh_key())
    env = tmp_path / ".env"
    env.write_text("ENCORD_SSH_KEY_FILE=encord-key\n")  # relative to the .env's folder
    [named] = (await services.imports.scan([env])).finds
    assert (named.source, named.place) == (key_file, "named by ENCORD_SSH_KEY_FILE")
    [find] = (await services.imports.scan([key_file])).finds  # given itself: it may go

    real_read = services.keeper.read

    async def damaged(credential):  # type: ignore[no-untyped-def]
        value = await real_read(credential)
        return Secret(value.reveal()[:-20]) if value is not None else None

    monkeypatch.setattr(services.keeper, "read", damaged)
    [done] = await services.imports.import_finds([find])
    assert (done.outcome, done.verified) == (Outcome.IMPORTED, False)
    assert "keep the plaintext copy" in done.message
    assert await services.imports.remove_plaintext([done]) == []
    assert key_file.exists()
    monkeypatch.undo()

    [again] = await services.imports.import_finds([find])
    assert (again.outcome, again.verified) == (Outcome.ALREADY_HELD, True)
    [result] = await services.imports.remove_plaintext([again])
    assert result.removed == 1 and not key_file.exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"x" * (1024 * 1024 + 1), "larger than 1024 KiB"),
        (b"\xff\xfe\x00binary", "not text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
        (b'{"login_parameters": 3}', "no login_parameters"),
        (b"JUST_SOMETHING=else\n", "nothing TokenDeck knows"),
        (b"ENCORD_API_KEY=abc\n", "needs its project or dataset id"),
        (
            b"-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64\n-----END OPENSSH PRIVATE KEY-----\n",
            "Not an OpenSSH private key",
        ),
    ],
)
async def test_files_that_hold_nothing_to_import_say_why(
    services: AppServices, tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    scanned = await services.imports.scan([path, tmp_path / "missing", tmp_path])
    assert scanned.finds == []
    assert len(scanned.problems) == 3
    assert said in scanned.problems[0], scanned.problems
    assert "no such file" in scanned.problems[1] and "a folder" in scanned.problems[2]


async def test_a_cookie_sign_in_for_a_host_tokendeck_may_not_talk_to_is_not_offered(
    services: AppServices, tmp_path: Path
) -> None:
    cookie = tmp_path / "cookie.json"
    token = jwt_token(email="plain@b.test")
    cookie.write_text(
        json.dumps({"login_parameters": {"http://intranet.example/api/v1": {"token": token}}})
    )
    scanned = await services.imports.scan([cookie])
    assert scanned.finds == []
    assert "http://intranet.example/api/v1 is not offered: Use https://" in scanned.problems[0]


# -- what an attack review found: each class, with the mechanism that answers it ---------------


async def test_a_key_file_holding_more_than_the_key_stays_and_other_key_types_are_refused(
    services: AppServices, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    two = tmp_path / "keys"
    two.write_text(openssh_key() + openssh_key() + "# notes\n")
    rsa_key = tmp_path / "id_rsa"
    rsa_key.write_bytes(
        rsa.generate_private_key(65537, 2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )
    scanned = await services.imports.scan([two, rsa_key])
    [find] = scanned.finds
    assert "holds more than this key" in find.note
    assert scanned.problems == [f"{rsa_key}: An ssh-rsa key: Encord needs an Ed25519 key."]
    imported = await services.imports.import_finds([find])
    [result] = await services.imports.remove_plaintext(imported)
    assert (result.removed, result.failed) == (0, False) and "stays" in result.message
    assert two.read_text().count("BEGIN OPENSSH") == 2


async def test_a_key_file_named_by_a_variable_is_imported_but_never_deleted(
    services: AppServices, tmp_path: Path
) -> None:
    key_file = tmp_path / "id_ed25519"  # perhaps the user's own SSH key
    key_file.write_text(openssh_key())
    env = tmp_path / ".env"
    env.write_text(f"ENCORD_SSH_KEY_FILE={key_file}\n")
    [find] = (await services.imports.scan([env])).finds
    imported = await services.imports.import_finds([find])
    assert imported[0].verified
    [result] = await services.imports.remove_plaintext(imported)
    assert not result.failed and "Named by ENCORD_SSH_KEY_FILE" in result.message
    assert key_file.exists() and env.read_text() == f"ENCORD_SSH_KEY_FILE={key_file}\n"


async def test_a_name_set_twice_keeps_its_lines_so_no_older_value_comes_back(
    services: AppServices, tmp_path: Path
) -> None:
    old, new = jwt_token(email="old@b.test"), jwt_token(email="new@b.test")
    env = tmp_path / ".env"
    text = f"DATALOOP_TOKEN={old}\nKEEP=1\nDATALOOP_TOKEN={new}\n"
    env.write_text(text)
    [find] = (await services.imports.scan([env])).finds
    assert find.secrets["token"].reveal() == new and "more than once" in find.note
    imported = await services.imports.import_finds([find])
    [result] = await services.imports.remove_plaintext(imported)
    assert not result.failed and env.read_text() == text


async def test_files_that_are_not_regular_are_never_read_so_nothing_blocks(
    services: AppServices, tmp_path: Path
) -> None:
    import asyncio
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    env = tmp_path / ".env"
    env.write_text(f"ENCORD_SSH_KEY_FILE={fifo}\n")
    scanned = await asyncio.wait_for(services.imports.scan([fifo, env]), 30)
    assert scanned.finds == []
    assert all("not a regular file" in p for p in scanned.problems), scanned.problems


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("DATALOOP_TOKEN=${DL_TOKEN}\n", "refers to another variable"),
        ("DATALOOP_TOKEN=abc\rOTHER=secret\n", "lone carriage return"),
        ("TOKEN=some-other-apps-bot-token-0123456789\n", "nothing TokenDeck knows"),
    ],
)
async def test_values_tokendeck_would_misread_are_not_offered(
    services: AppServices, tmp_path: Path, text: str, said: str
) -> None:
    env = tmp_path / ".env"
    env.write_text(text)
    scanned = await services.imports.scan([env])
    assert scanned.finds == [] and said in scanned.problems[0], scanned.problems


async def test_a_generic_variable_is_read_when_an_account_was_given_it(
    services: AppServices, tmp_path: Path
) -> None:
    from tokendeck.core.models import Account, AccountSettings

    await services.accounts.add(
        Account(
            id="",
            name="Pasted",
            platform=Platform.MANUAL,
            host="",
            settings=AccountSettings(exec_env="TOKEN"),
        ),
        {},
        {"token": Secret("opaque-" + "x" * 30)},
    )
    env = tmp_path / ".env"
    env.write_text("TOKEN=abcdefghijklmnopqrstuvwxyz0123\n")
    [find] = (await services.imports.scan([env])).finds
    assert (find.place, find.platform, find.kind) == (
        "line 1 (TOKEN)",
        Platform.MANUAL,
        FindKind.TRACKED,
    )


async def test_a_cookie_changed_after_the_scan_keeps_what_is_new_and_never_raises(
    services: AppServices, world: SandboxWorld, tmp_path: Path
) -> None:
    _, token, refresh = dataloop_tokens(world)
    cookie = write_cookie(tmp_path, world, token, refresh)
    imported = await services.imports.import_finds((await services.imports.scan([cookie])).finds)
    assert imported[0].verified
    renewed = cookie.read_text().replace(refresh, "renewed-refresh-token-" + "r" * 20)
    cookie.write_text(renewed)  # dtlpy renewed its session meanwhile
    [result] = await services.imports.remove_plaintext(imported)
    assert (result.removed, result.failed) == (0, True) and cookie.read_text() == renewed
    cookie.write_text("{not json")
    [result] = await services.imports.remove_plaintext(imported)
    assert result.failed and "changed since it was read" in result.message
    cookie.write_text(
        json.dumps({"login_parameters": {world.urls["dataloop"] + "/api/v1": {"token": 7}}})
    )
    [result] = await services.imports.remove_plaintext(imported)
    assert result.failed


async def test_a_cookie_whose_gate_and_api_differ_is_not_offered(
    services: AppServices, tmp_path: Path
) -> None:
    cookie = tmp_path / "cookie.json"
    login = {"token": jwt_token(), "gate_url": "https://attacker.example"}
    cookie.write_text(json.dumps({"login_parameters": {"https://gate.dataloop.ai/api/v1": login}}))
    scanned = await services.imports.scan([cookie])
    assert scanned.finds == [] and "different hosts" in scanned.problems[0]
    login["gate_url"] = "https://GATE.dataloop.ai:443"  # the same origin, written otherwise
    cookie.write_text(json.dumps({"login_parameters": {"https://gate.dataloop.ai/api/v1": login}}))
    assert len((await services.imports.scan([cookie])).finds) == 1


async def test_an_expired_cookie_session_is_renewed_at_import_or_says_it_needs_a_sign_in(
    services: AppServices, world: SandboxWorld, tmp_path: Path
) -> None:
    email, _, refresh = dataloop_tokens(world)
    expired = jwt_token(email=email, exp=1_000_000)
    good = write_cookie(tmp_path / "a", world, expired, refresh)
    bad = write_cookie(tmp_path / "b", world, jwt_token(email="b@b.test", exp=1_000_000), "dead")
    imported = await services.imports.import_finds((await services.imports.scan([good, bad])).finds)
    assert [i.verified for i in imported] == [True, True]
    renewed = await services.accounts.get(f"Dataloop ({email})")
    assert renewed.status is AccountStatus.SIGNED_IN
    assert (await services.sessions.current_token(renewed)).reveal() != expired
    dead = await services.accounts.get("Dataloop (b@b.test)")
    assert dead.status is AccountStatus.NEEDS_LOGIN


async def test_a_key_file_changed_after_the_import_is_kept(
    services: AppServices, tmp_path: Path
) -> None:
    key_file = tmp_path / "encord-key"
    key_file.write_text(openssh_key())
    imported = await services.imports.import_finds((await services.imports.scan([key_file])).finds)
    assert imported[0].verified
    other = openssh_key()
    key_file.write_text(other)  # replaced by another key since
    [result] = await services.imports.remove_plaintext(imported)
    assert (result.removed, result.failed) == (0, True) and key_file.read_text() == other
