"""The real Secret Service (gnome-keyring in the test session), plus failure modes of a backend."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest

from tests.conftest import need_secret_service
from tokendeck.core.secret import Secret
from tokendeck.storage.keyring_store import SERVICE, KeyringStore, probe_keyring
from tokendeck.storage.secret_store import SecretStoreError


async def test_probe_writes_reads_and_deletes_on_the_real_keyring() -> None:
    need_secret_service()
    ok, message = await probe_keyring(f"probe-{secrets.token_hex(4)}")
    assert ok, message
    assert "SecretService" in message


async def test_long_secret_is_split_into_parts_in_the_real_keyring(
    secret_factory: Callable[[int], Secret],
) -> None:
    need_secret_service()
    namespace = f"t-{secrets.token_hex(4)}"
    store = KeyringStore(namespace)
    value = secret_factory(2600)
    await store.set("big", value)
    head = keyring.get_password(SERVICE, f"{namespace}:big")
    assert head is not None
    assert head.startswith("td1-chunks:3:")
    part = keyring.get_password(SERVICE, f"{namespace}:big#3")
    assert part is not None
    assert len(part) == len(value) - 2000
    await store.delete("big")
    assert keyring.get_password(SERVICE, f"{namespace}:big#1") is None
    await store.aclose()


class _Backend(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self, behaviour: str) -> None:
        super().__init__()
        self.behaviour = behaviour
        self.release = threading.Event()

    def _act(self) -> None:
        if self.behaviour == "locked":
            raise keyring.errors.KeyringLocked("collection is locked")
        if self.behaviour == "refuse":
            raise keyring.errors.PasswordSetError("Prompt dismissed: password=hunter2hunter2")
        if self.behaviour == "hang":
            self.release.wait(5)

    def get_password(self, service: str, username: str) -> str | None:
        self._act()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._act()

    def delete_password(self, service: str, username: str) -> None:
        self._act()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Iterator[_Backend]:
    previous = keyring.get_keyring()
    fake = _Backend(request.param)
    keyring.set_keyring(fake)
    yield fake
    fake.release.set()
    keyring.set_keyring(previous)


@pytest.mark.parametrize("backend", ["locked"], indirect=True)
async def test_locked_keyring_says_so(backend: _Backend) -> None:
    store = KeyringStore("t")
    with pytest.raises(SecretStoreError, match="locked"):
        await store.set("x", Secret("value-that-must-not-leak"))
    await store.aclose()


@pytest.mark.parametrize("backend", ["refuse"], indirect=True)
async def test_refusal_is_explained_without_the_secret(backend: _Backend) -> None:
    store = KeyringStore("t")
    with pytest.raises(SecretStoreError) as info:
        await store.set("x", Secret("value-that-must-not-leak"))
    assert "refused" in str(info.value)
    assert "hunter2hunter2" not in str(info.value)
    assert "value-that-must-not-leak" not in str(info.value)
    await store.aclose()


@pytest.mark.parametrize("backend", ["hang"], indirect=True)
async def test_a_hanging_keyring_times_out_with_a_clear_message(backend: _Backend) -> None:
    store = KeyringStore("t", timeout=0.3)
    with pytest.raises(SecretStoreError, match="did not answer"):
        await store.get("x")
    backend.release.set()
    await store.aclose()


@pytest.mark.parametrize("backend", ["locked"], indirect=True)
async def test_probe_reports_an_unusable_keyring(backend: _Backend) -> None:
    ok, message = await probe_keyring("t", timeout=1)
    assert not ok
    assert "locked" in message
