"""The vault file format, checked against an independent implementation of it, and every way a
file can be damaged or tampered with: each is refused with the reason it names, never opened."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.storage.conftest import FAST_SCRYPT
from tokendeck.core.secret import Secret
from tokendeck.storage import vault as vault_module
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_store import SecretStoreError
from tokendeck.storage.vault import (
    ScryptParams,
    Vault,
    VaultCorruptError,
    VaultError,
    VaultPasswordError,
    check_params,
)

PASSWORD = "correct horse battery"
SALT = bytes(range(16))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _key(password: str, salt: bytes, n: int = 2**10, r: int = 8, p: int = 1) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=2**27, dklen=32)


def _header(n: int = 2**10, r: int = 8, p: int = 1, salt: bytes = SALT) -> dict[str, Any]:
    kdf = {"name": "scrypt", "n": n, "r": r, "p": p, "salt": _b64(salt)}
    return {"format": "tokendeck-vault", "version": 1, "kdf": kdf}


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def seal(
    plaintext: bytes,
    *,
    password: str = PASSWORD,
    n: int = 2**10,
    r: int = 8,
    p: int = 1,
    salt: bytes = SALT,
) -> bytes:
    """A vault file as the format describes it, written without TokenDeck's code."""
    header = _header(n, r, p, salt)
    nonce = os.urandom(12)
    ciphertext = AESGCM(_key(password, salt, n, r, p)).encrypt(nonce, plaintext, _aad(header))
    return json.dumps({**header, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}).encode()


def open_independently(raw: bytes, password: str = PASSWORD) -> Any:
    doc = json.loads(raw)
    kdf = doc["kdf"]
    key = _key(password, base64.b64decode(kdf["salt"]), kdf["n"], kdf["r"], kdf["p"])
    header = {k: doc[k] for k in ("format", "version", "kdf")}
    plaintext = AESGCM(key).decrypt(
        base64.b64decode(doc["nonce"]), base64.b64decode(doc["ciphertext"]), _aad(header)
    )
    return json.loads(plaintext)


def _damaged(path: Path) -> str:
    return f"The vault file {path} is damaged or not a TokenDeck vault"


# -- the format, both ways ---------------------------------------------------------------------


async def test_a_vault_file_written_to_the_format_opens(profile: Profile) -> None:
    values = {"ref-a": "tdtest-alpha", "ref-b": "tdtest-beta"}
    profile.vault_path.write_bytes(seal(json.dumps(values).encode()))
    vault = await Vault.unlock(profile.vault_path, Secret(PASSWORD))
    assert not vault.recovered
    assert vault.refs() == ["ref-a", "ref-b"]
    assert await vault.get("ref-b") == Secret("tdtest-beta")


async def test_the_vault_writes_the_documented_format(profile: Profile) -> None:
    vault = await Vault.create(profile.vault_path, Secret(PASSWORD), FAST_SCRYPT)
    await vault.set("ref-a", Secret("tdtest-alpha"))
    await vault.set("ref-b", Secret("tdtest-beta"))
    raw = profile.vault_path.read_bytes()
    doc = json.loads(raw)
    assert list(doc) == ["format", "version", "kdf", "nonce", "ciphertext"]
    assert (doc["format"], doc["version"]) == ("tokendeck-vault", 1)
    kdf = doc["kdf"]
    assert {k: kdf[k] for k in ("name", "n", "r", "p")} == {
        "name": "scrypt",
        "n": 2**10,
        "r": 8,
        "p": 1,
    }
    assert len(base64.b64decode(kdf["salt"])) == 16
    assert len(base64.b64decode(doc["nonce"])) == 12
    assert open_independently(raw) == {"ref-a": "tdtest-alpha", "ref-b": "tdtest-beta"}
    assert open_independently(vault.previous_path.read_bytes()) == {"ref-a": "tdtest-alpha"}


async def test_every_save_uses_a_fresh_nonce(profile: Profile) -> None:
    vault = await Vault.create(profile.vault_path, Secret(PASSWORD), FAST_SCRYPT)
    nonces = set()
    for value in ("tdtest-1", "tdtest-2", "tdtest-3"):
        await vault.set("a", Secret(value))
        nonces.add(json.loads(profile.vault_path.read_bytes())["nonce"])
    assert len(nonces) == 3


async def test_the_header_is_bound_by_its_content_not_its_layout(profile: Profile) -> None:
    """Re-serialising the file (other key order, other spacing) keeps it openable."""
    vault = await Vault.create(profile.vault_path, Secret(PASSWORD), FAST_SCRYPT)
    await vault.set("a", Secret("tdtest-alpha"))
    doc = json.loads(profile.vault_path.read_bytes())
    reordered = {k: doc[k] for k in reversed(list(doc))}
    reordered["kdf"] = {k: doc["kdf"][k] for k in reversed(list(doc["kdf"]))}
    profile.vault_path.write_text(json.dumps(reordered, separators=(", ", " : ")))
    again = await Vault.unlock(profile.vault_path, Secret(PASSWORD))
    assert await again.get("a") == Secret("tdtest-alpha")


async def test_a_new_vault_uses_the_owasp_scrypt_cost_by_default(profile: Profile) -> None:
    """The one test at the real cost (N=2^17): about a second."""
    assert ScryptParams() == ScryptParams(n=2**17, r=8, p=1)
    vault = await Vault.create(profile.vault_path, Secret(PASSWORD))
    await vault.set("a", Secret("tdtest-real-cost"))
    kdf = json.loads(profile.vault_path.read_bytes())["kdf"]
    assert (kdf["n"], kdf["r"], kdf["p"]) == (2**17, 8, 1)
    again = await Vault.unlock(profile.vault_path, Secret(PASSWORD))
    assert await again.get("a") == Secret("tdtest-real-cost")


async def test_a_new_vault_uses_the_cost_it_was_given(profile: Profile) -> None:
    await Vault.create(profile.vault_path, Secret(PASSWORD), ScryptParams(n=2**11, r=4, p=2))
    kdf = json.loads(profile.vault_path.read_bytes())["kdf"]
    assert (kdf["n"], kdf["r"], kdf["p"]) == (2**11, 4, 2)
    assert open_independently(profile.vault_path.read_bytes()) == {}


async def test_larger_salts_written_elsewhere_are_accepted(profile: Profile) -> None:
    for size in (16, 64):
        profile.vault_path.write_bytes(seal(b'{"a":"tdtest-x"}', salt=bytes(size)))
        vault = await Vault.unlock(profile.vault_path, Secret(PASSWORD))
        assert await vault.get("a") == Secret("tdtest-x")


# -- the master password -----------------------------------------------------------------------


async def test_a_master_password_needs_eight_characters(profile: Profile) -> None:
    with pytest.raises(SecretStoreError) as refused:
        await Vault.create(profile.vault_path, Secret("7 chars"), FAST_SCRYPT)
    assert str(refused.value) == "Choose a master password of at least 8 characters."
    assert not profile.vault_path.exists()
    vault = await Vault.create(profile.vault_path, Secret("8 chars!"), FAST_SCRYPT)
    assert vault.refs() == []


async def test_a_wrong_password_is_refused_with_its_reason(profile: Profile) -> None:
    profile.vault_path.write_bytes(seal(b"{}"))
    with pytest.raises(VaultPasswordError) as refused:
        await Vault.unlock(profile.vault_path, Secret(PASSWORD + "!"))
    assert str(refused.value) == (
        "Wrong master password, or the vault file was altered. Nothing was changed."
    )


async def test_a_password_that_cannot_be_encoded_is_refused_cleanly(profile: Profile) -> None:
    profile.vault_path.write_bytes(seal(b"{}"))
    with pytest.raises(VaultCorruptError) as refused:
        await Vault.unlock(profile.vault_path, Secret("lone \ud800 surrogate"))
    assert str(refused.value) == (
        "The vault's key derivation cannot run (UnicodeEncodeError). Nothing was changed."
    )


async def test_an_unencodable_password_is_refused_even_with_a_previous_generation(
    profile: Profile,
) -> None:
    profile.vault_path.write_bytes(seal(b"{}"))
    profile.vault_path.with_name(profile.vault_path.name + ".prev").write_bytes(seal(b"{}"))
    with pytest.raises(VaultCorruptError, match=r"key derivation cannot run"):
        await Vault.unlock(profile.vault_path, Secret("lone \ud800 surrogate"))


# -- scrypt parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        ScryptParams(n=2**10, r=1, p=1),
        ScryptParams(n=2**20, r=8, p=1),  # exactly the 1 GiB memory bound
        ScryptParams(n=2**10, r=32, p=16),
        ScryptParams(n=2**18, r=32, p=1),
    ],
)
def test_scrypt_parameters_within_bounds_are_accepted(params: ScryptParams) -> None:
    check_params(params)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        (ScryptParams(n=2**9, r=8, p=1), "scrypt n is out of range"),
        (ScryptParams(n=2**21, r=1, p=1), "scrypt n is out of range"),
        (ScryptParams(n=3 * 2**10, r=8, p=1), "scrypt n is out of range"),
        (ScryptParams(n=2**10 + 2**11, r=1, p=1), "scrypt n is out of range"),
        (ScryptParams(n=2**10, r=0, p=1), "scrypt r or p is out of range"),
        (ScryptParams(n=2**10, r=33, p=1), "scrypt r or p is out of range"),
        (ScryptParams(n=2**10, r=8, p=0), "scrypt r or p is out of range"),
        (ScryptParams(n=2**10, r=8, p=17), "scrypt r or p is out of range"),
        (ScryptParams(n=2**20, r=9, p=1), "scrypt r or p is out of range"),
        (ScryptParams(n=2**19, r=32, p=1), "scrypt r or p is out of range"),
    ],
)
def test_scrypt_parameters_out_of_bounds_are_refused(params: ScryptParams, reason: str) -> None:
    with pytest.raises(ValueError, match=f"^{reason}$"):
        check_params(params)


async def test_a_new_vault_refuses_parameters_it_would_never_write(profile: Profile) -> None:
    with pytest.raises(SecretStoreError) as refused:
        await Vault.create(profile.vault_path, Secret(PASSWORD), ScryptParams(n=2**10, r=0))
    assert str(refused.value) == "Refused scrypt parameters: scrypt r or p is out of range."
    assert not profile.vault_path.exists()


# -- damage, each with its reason --------------------------------------------------------------


def _set(where: str, key: str, value: Any) -> Callable[[bytes], bytes]:
    def damage(raw: bytes) -> bytes:
        doc = json.loads(raw)
        (doc["kdf"] if where == "kdf" else doc)[key] = value
        return json.dumps(doc).encode()

    return damage


def _drop(key: str) -> Callable[[bytes], bytes]:
    def damage(raw: bytes) -> bytes:
        doc = json.loads(raw)
        del doc[key]
        return json.dumps(doc).encode()

    return damage


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda raw: b"not json", "not JSON"),
        (
            lambda raw: b'{"a": "\xff"}',
            "'utf-8' codec can't decode byte 0xff in position 7: invalid start byte",
        ),
        (lambda raw: b"[]", "not a JSON object"),
        (lambda raw: b"[" * 100_000 + b"]" * 100_000, "RecursionError"),
        (_set("doc", "format", "other"), "not a TokenDeck vault"),
        (_drop("format"), "not a TokenDeck vault"),
        (_set("doc", "version", "1"), "not a TokenDeck vault"),
        (_drop("version"), "not a TokenDeck vault"),
        (_set("doc", "version", 2), "a vault version this TokenDeck does not know"),
        (_set("doc", "version", 0), "a vault version this TokenDeck does not know"),
        (_set("doc", "kdf", "scrypt"), "unknown key derivation"),
        (_set("kdf", "name", "argon2"), "unknown key derivation"),
        (_set("kdf", "n", 1024.0), "n is not a whole number"),
        (_set("kdf", "r", True), "r is not a whole number"),
        (_set("kdf", "p", "1"), "p is not a whole number"),
        (_set("kdf", "n", 2**21), "scrypt n is out of range"),
        (_set("kdf", "p", 17), "scrypt r or p is out of range"),
        (_set("kdf", "salt", 7), "the salt is not base64 text"),
        (_set("doc", "nonce", None), "the nonce is not base64 text"),
        (_drop("ciphertext"), "the ciphertext is not base64 text"),
        (_set("kdf", "salt", _b64(bytes(15))), "the salt has the wrong length"),
        (_set("kdf", "salt", _b64(bytes(65))), "the salt has the wrong length"),
        (_set("doc", "nonce", _b64(bytes(11))), "the nonce has the wrong length"),
        (_set("doc", "nonce", _b64(bytes(13))), "the nonce has the wrong length"),
        (_set("doc", "ciphertext", _b64(bytes(15))), "the ciphertext is too short"),
        (_set("doc", "nonce", "AAAA!AAAAAAAAAAAAAAA"), "Only base64 data is allowed"),
        (
            _set("doc", "nonce", "AAAAA"),
            # a long reason is cut at 80 characters
            "Invalid base64-encoded string: number of data characters (5) cannot be 1 more than"
            " a multiple of 4"[:80],
        ),
    ],
)
async def test_a_damaged_file_is_refused_with_its_reason(
    profile: Profile, damage: Callable[[bytes], bytes], reason: str
) -> None:
    await Vault.create(profile.vault_path, Secret(PASSWORD), FAST_SCRYPT)
    damaged = damage(profile.vault_path.read_bytes())
    profile.vault_path.write_bytes(damaged)
    with pytest.raises(VaultCorruptError) as refused:
        await Vault.unlock(profile.vault_path, Secret(PASSWORD))
    assert str(refused.value) == (
        f"{_damaged(profile.vault_path)} ({reason}). It was left untouched."
    )
    assert profile.vault_path.read_bytes() == damaged


async def test_a_file_at_the_size_limit_opens_and_one_byte_more_is_refused(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    sealed = seal(b'{"a":"tdtest-x"}')
    limit = len(sealed) + 100
    monkeypatch.setattr(vault_module, "MAX_FILE_BYTES", limit)
    profile.vault_path.write_bytes(b" " * (limit - len(sealed)) + sealed)
    vault = await Vault.unlock(profile.vault_path, Secret(PASSWORD))
    assert await vault.get("a") == Secret("tdtest-x")
    profile.vault_path.write_bytes(b" " * (limit + 1 - len(sealed)) + sealed)
    with pytest.raises(VaultCorruptError) as refused:
        await Vault.unlock(profile.vault_path, Secret(PASSWORD))
    assert str(refused.value) == (
        f"{_damaged(profile.vault_path)} (the file is far too large). It was left untouched."
    )


@pytest.mark.parametrize(
    "plaintext",
    [b"", b"not json", b'["a"]', b'{"a": 1}', b'{"a": "x", "b": null}', b"[" * 5000],
)
async def test_a_vault_that_opens_to_damaged_content_is_refused(
    profile: Profile, plaintext: bytes
) -> None:
    profile.vault_path.write_bytes(seal(plaintext))
    with pytest.raises(VaultCorruptError) as refused:
        await Vault.unlock(profile.vault_path, Secret(PASSWORD))
    assert str(refused.value) == "The vault opened but its content is damaged."


# -- tampering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("kdf", "salt", _b64(bytes(range(1, 17)))),
        ("kdf", "n", 2**11),
        ("kdf", "r", 4),
        ("kdf", "p", 2),
        ("kdf", "extra", "field"),
        ("doc", "nonce", _b64(bytes(12))),
    ],
)
async def test_a_tampered_header_is_refused(
    profile: Profile, where: str, key: str, value: Any
) -> None:
    profile.vault_path.write_bytes(seal(b'{"a":"tdtest-x"}'))
    profile.vault_path.write_bytes(_set(where, key, value)(profile.vault_path.read_bytes()))
    with pytest.raises(VaultPasswordError):
        await Vault.unlock(profile.vault_path, Secret(PASSWORD))


async def test_a_header_sealed_with_other_aad_is_refused(profile: Profile) -> None:
    """The header is authenticated: the same ciphertext under an altered AAD never opens."""
    header = _header()
    nonce = bytes(12)
    ciphertext = AESGCM(_key(PASSWORD, SALT)).encrypt(nonce, b"{}", b"")
    doc = {**header, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}
    profile.vault_path.write_text(json.dumps(doc))
    with pytest.raises(VaultPasswordError):
        await Vault.unlock(profile.vault_path, Secret(PASSWORD))


async def test_changing_any_byte_of_the_header_is_refused(profile: Profile) -> None:
    vault = await Vault.create(profile.vault_path, Secret(PASSWORD), FAST_SCRYPT)
    await vault.set("a", Secret("tdtest-alpha"))
    vault.previous_path.unlink()
    good = profile.vault_path.read_bytes()
    accepted = []
    for position in range(good.index(b'"nonce"')):
        changed = bytearray(good)
        changed[position] ^= 0x01
        profile.vault_path.write_bytes(bytes(changed))
        try:
            Vault._unlock_sync(profile.vault_path, Secret(PASSWORD))
        except VaultError:
            continue
        accepted.append(position)
    assert accepted == []
