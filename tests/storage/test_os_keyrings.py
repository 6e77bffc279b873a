"""KeyringStore on the keyrings of Windows and macOS (python-keyring's real backends over fakes
of the system calls: tests/storage/os_keyrings.py): long secrets fit Windows' 2,560-byte limit,
every entry reads back under the one service name, and a locked Keychain says what to do."""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.macOS
import keyring.backends.Windows
import pytest

from tests.storage.memory_keyring import (
    private_keyring_lock,  # noqa: F401 - autouse fixture
    using_keyring,
)
from tests.storage.os_keyrings import (
    CRED_MAX_CREDENTIAL_BLOB_SIZE,
    CredentialManager,
    Keychain,
    WinError,
)
from tests.tokens import claims, hs256
from tokendeck.core.secret import Secret
from tokendeck.storage.keyring_store import SERVICE, KeyringStore
from tokendeck.storage.secret_store import SecretStoreError

NS = "ns"


@pytest.fixture
def credential_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[CredentialManager]:
    """python-keyring's WinVaultKeyring, chosen, over a fake Credential Manager."""
    manager = CredentialManager()
    module = keyring.backends.Windows
    monkeypatch.setattr(module, "win32cred", manager, raising=False)
    monkeypatch.setattr(module, "pywintypes", types.SimpleNamespace(error=WinError), raising=False)
    with using_keyring(module.WinVaultKeyring()):
        yield manager


@pytest.fixture
def keychain(monkeypatch: pytest.MonkeyPatch) -> Iterator[Keychain]:
    """python-keyring's macOS Keyring, chosen, over a fake Security framework."""
    chain = Keychain()
    monkeypatch.setattr(keyring.backends.macOS, "api", chain, raising=False)
    with using_keyring(keyring.backends.macOS.Keyring()):
        yield chain


def _store(tmp_path: Path) -> KeyringStore:
    return KeyringStore(NS, lock_path=tmp_path / "keyring.lock")


def _long_jwt() -> str:
    token, _ = hs256(claims(groups=[f"group-{i}" for i in range(300)]))
    assert len(token) > 4000
    return token


SECRETS = {
    "short": "s3cret",
    "jwt": _long_jwt(),
    "emoji": "🔑" * 1500,  # 3,000 UTF-16 units
    "accents": "é" * 1279 + "😀",  # one unit over Windows' 1,280 with its pair
}


def test_the_fake_refuses_what_windows_refuses(credential_manager: CredentialManager) -> None:
    """Without TokenDeck's split, python-keyring alone cannot keep a long token on Windows: the
    tests below could not pass by a lenient fake."""
    with pytest.raises(WinError) as refused:
        keyring.set_password(SERVICE, "plain", "x" * 1281)
    assert refused.value.winerror == 1783
    keyring.set_password(SERVICE, "plain", "x" * 1280)
    assert keyring.get_password(SERVICE, "plain") == "x" * 1280


async def _keep_every_secret(store: KeyringStore) -> None:
    for ref, value in SECRETS.items():
        await store.set(ref, Secret(value))
    for ref, value in SECRETS.items():
        assert await store.get(ref) == Secret(value), ref


async def test_windows_keeps_long_secrets_in_parts_under_its_blob_limit(
    credential_manager: CredentialManager, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    await _keep_every_secret(store)
    assert 0 < credential_manager.largest_blob <= CRED_MAX_CREDENTIAL_BLOB_SIZE
    assert await store.present([*SECRETS, "never"]) == frozenset(SECRETS)
    assert store.description == "System keyring (Windows)"
    # Replaced by a shorter one: the old parts go.
    await store.set("jwt", Secret("now short"))
    assert await store.get("jwt") == Secret("now short")
    for ref in SECRETS:
        await store.delete(ref)
        assert await store.get(ref) is None
    await store.delete("never")  # nothing there: no error
    assert credential_manager.targets == {}
    await store.aclose()


async def test_macos_keychain_round_trips_and_a_locked_one_says_so(
    keychain: Keychain, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    await _keep_every_secret(store)
    assert store.description == "System keyring (macOS)"
    keychain.locked = True
    with pytest.raises(SecretStoreError) as refused:
        await store.set("short", Secret("other"))
    assert str(refused.value).startswith("The system keyring is locked: unlock it, then try to ")
    with pytest.raises(SecretStoreError, match="locked"):
        await store.get("short")
    keychain.locked = False
    assert await store.get("short") == Secret("s3cret"), "a refused change changed nothing"
    for ref in SECRETS:
        await store.delete(ref)
    await store.delete("never")
    assert keychain.items == {}
    await store.aclose()
