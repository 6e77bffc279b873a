"""The keyring's entries as a person and other programs see them: labels, attributes, one D-Bus
connection, bulk presence; on the real Secret Service of scripts/desktop-session."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import keyring
import pytest
import secretstorage

from tests.conftest import need_secret_service
from tests.storage.memory_keyring import MemoryKeyring, using_keyring
from tests.storage.reliability import keyring_users
from tokendeck.core.secret import Secret
from tokendeck.storage import keyring_entries, keyring_store
from tokendeck.storage.keyring_entries import (
    SERVICE,
    KeyringEntries,
    SecretServiceEntries,
    label,
    open_entries,
)
from tokendeck.storage.keyring_store import KeyringStore
from tokendeck.storage.secret_store import SecretAbout


@pytest.fixture(autouse=True)
def secret_service_backend() -> Iterator[None]:
    """python-keyring's global backend is the Secret Service here, whatever an earlier test left."""
    from keyring.backends.SecretService import Keyring as SecretServiceKeyring

    with using_keyring(SecretServiceKeyring()):
        yield


def _namespace() -> str:
    need_secret_service()
    return f"t-{secrets.token_hex(4)}"


def _items(user: str) -> list[Any]:
    connection = secretstorage.dbus_init()
    try:
        found = list(secretstorage.search_items(connection, {"service": SERVICE, "username": user}))
        return [(item.get_label(), item.get_attributes()) for item in found]
    finally:
        connection.close()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the D-Bus connections secretstorage opens."""
    opened: list[int] = []
    real = secretstorage.dbus_init

    def counting() -> Any:
        opened.append(1)
        return real()

    monkeypatch.setattr(secretstorage, "dbus_init", counting)
    return opened


async def test_each_entry_has_a_label_a_person_can_read_and_attributes_without_the_secret(
    secret_factory: Callable[[int], Secret],
) -> None:
    namespace = _namespace()
    store = KeyringStore(namespace)
    about = SecretAbout("Dataloop prod\n\x1b[31m: Session token", "acc-1", "session_token")
    short, long = secret_factory(40), secret_factory(2600)
    await store.set("short", short, about)
    await store.set("long", long, about)
    [(head_label, attributes)] = _items(f"{namespace}:short")
    assert head_label == "TokenDeck — Dataloop prod [31m: Session token"
    assert attributes["application"] == "TokenDeck"
    assert attributes["account-id"] == "acc-1"
    assert attributes["kind"] == "session_token"
    assert short.reveal() not in repr(attributes)
    users = keyring_users(f"{namespace}:long#")
    labels = sorted(_items(u)[0][0] for u in users)
    assert labels == [f"{head_label} (part {i} of 3)" for i in (1, 2, 3)]
    # python-keyring (and so any earlier TokenDeck) still reads the entries.
    assert keyring.get_password(SERVICE, f"{namespace}:short") == "td1:" + short.reveal()
    for ref in ("short", "long"):
        await store.delete(ref)
    assert keyring_users(f"{namespace}:") == []
    await store.aclose()


async def test_an_entry_of_an_earlier_release_is_replaced_never_duplicated(
    secret_factory: Callable[[int], Secret],
) -> None:
    namespace = _namespace()
    user = f"{namespace}:old"
    keyring.set_password(SERVICE, user, "td1:" + secret_factory(30).reveal())
    [(old_label, _)] = _items(user)
    assert old_label.startswith("Password for")  # python-keyring's own label
    store = KeyringStore(namespace)
    newer = secret_factory(30)
    await store.set("old", newer, SecretAbout("Haut.AI: API key", "a", "api_key"))
    [(new_label, attributes)] = _items(user)
    assert new_label == "TokenDeck — Haut.AI: API key"
    assert attributes["application"] == "TokenDeck"
    assert await store.get("old") == newer
    await store.delete("old")
    assert _items(user) == []
    await store.aclose()


async def test_the_store_keeps_one_connection_for_every_call_and_lists_presence_in_bulk(
    secret_factory: Callable[[int], Secret], connections: list[int]
) -> None:
    namespace = _namespace()
    store = KeyringStore(namespace)
    refs = [f"r{i}" for i in range(30)]
    for ref in refs[:20]:
        await store.set(ref, secret_factory(20))
    await store.set("long", secret_factory(2600))
    assert await store.get("r3") is not None
    held = await store.present([*refs, "long", "never"])
    assert held == frozenset([*refs[:20], "long"])
    assert connections == [1], "one D-Bus connection for the life of the store"
    assert store.description == "System keyring (SecretService)"
    for ref in [*refs[:20], "long"]:
        await store.delete(ref)
    assert await store.present(refs) == frozenset()
    await store.aclose()


ALIASES = "/org/freedesktop/secrets/aliases/"


@pytest.fixture
def sent_to(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The object path of every D-Bus message this process sends."""
    from jeepney.io.blocking import DBusConnection
    from jeepney.low_level import HeaderFields

    paths: list[str] = []
    real = DBusConnection.send

    def recording(self: Any, message: Any, serial: Any = None) -> None:
        paths.append(str(message.header.fields.get(HeaderFields.path, "")))
        real(self, message, serial)

    monkeypatch.setattr(DBusConnection, "send", recording)
    monkeypatch.setattr(DBusConnection, "send_message", recording)
    return paths


async def test_no_call_is_sent_to_the_default_alias_path(
    secret_factory: Callable[[int], Secret], sent_to: list[str]
) -> None:
    """gnome-keyring rewrites .../aliases/default in a worker thread racing its main thread (see
    keyring_entries.default_collection_path): every call goes to the collection's own path."""
    namespace = _namespace()
    store = KeyringStore(namespace)
    await store.set("short", secret_factory(30))
    await store.set("long", secret_factory(2600))
    assert await store.get("long") is not None
    assert await store.present(["short", "long"]) == frozenset(["short", "long"])
    await store.delete("short")
    await store.delete("long")
    await store.aclose()
    assert any(path.startswith("/org/freedesktop/secrets/collection/") for path in sent_to)
    assert [path for path in sent_to if path.startswith(ALIASES)] == []


def test_calls_stay_on_course_while_other_programs_connect(
    secret_factory: Callable[[int], Secret],
) -> None:
    """The race itself: two threads keep connecting as new clients (each first call makes
    gnome-keyring replace its alias string) while the entries are written, read and deleted.
    Sent to .../aliases/default, about 1 call in 2,000 went astray here."""
    import threading

    from jeepney import DBusAddress, new_method_call

    namespace = _namespace()
    stop = threading.Event()
    failures: list[BaseException] = []
    connected = [0]

    def connect_again_and_again() -> None:
        service = DBusAddress(
            "/org/freedesktop/secrets", "org.freedesktop.secrets", "org.freedesktop.Secret.Service"
        )
        try:
            while not stop.is_set():
                connection = secretstorage.dbus_init()
                connection.send_and_get_reply(
                    new_method_call(service, "SearchItems", "a{ss}", ({},))
                )
                connection.close()
                connected[0] += 1
        except BaseException as exc:  # said below: a churn that stopped proves nothing
            failures.append(exc)

    others = [threading.Thread(target=connect_again_and_again) for _ in range(2)]
    for thread in others:
        thread.start()
    entries = SecretServiceEntries()
    about = SecretAbout("race", "acc-race", "api_key")
    try:
        for index in range(120):  # about 360 calls, each while new clients keep arriving
            user = f"{namespace}:r{index}"
            value = secret_factory(30).reveal()
            entries.set(user, value, about, None)
            assert entries.get(user) == value
            assert entries.delete(user)
    finally:
        stop.set()
        for thread in others:
            thread.join()
        entries.close()
    assert failures == []
    assert connected[0] > 10, "the other clients kept connecting meanwhile"
    assert keyring_users(f"{namespace}:") == []


async def test_presence_never_names_another_profiles_entries(
    secret_factory: Callable[[int], Secret],
) -> None:
    mine, theirs = _namespace(), _namespace()
    a, b = KeyringStore(mine), KeyringStore(theirs)
    await b.set("shared-ref", secret_factory(20))
    assert await a.present(["shared-ref"]) == frozenset()
    assert await b.present(["shared-ref"]) == frozenset(["shared-ref"])
    await b.delete("shared-ref")
    await a.aclose()
    await b.aclose()


async def test_without_a_listing_presence_is_asked_entry_by_entry_in_batches(
    secret_factory: Callable[[int], Secret], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring_store, "PRESENCE_BATCH", 7)
    with using_keyring(backend):
        store = KeyringStore("ns", entries=lambda: KeyringEntries(keyring))
        refs = [f"r{i}" for i in range(20)]
        for ref in refs[::2]:
            await store.set(ref, secret_factory(10))
        assert await store.present(refs) == frozenset(refs[::2])
        await store.aclose()


def test_open_entries_takes_python_keyring_for_any_other_backend() -> None:
    with using_keyring(MemoryKeyring()):
        entries = open_entries()
    assert isinstance(entries, KeyringEntries)
    assert entries.name == "memory_keyring"


def test_open_entries_takes_the_secret_service_directly_when_it_is_the_backend() -> None:
    need_secret_service()
    entries = open_entries()
    try:
        assert isinstance(entries, SecretServiceEntries)
    finally:
        entries.close()


def test_a_secret_service_that_does_not_answer_falls_back_to_python_keyring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    need_secret_service()

    def broken() -> Any:
        raise secretstorage.exceptions.SecretServiceNotAvailableException("gone")

    monkeypatch.setattr(secretstorage, "dbus_init", broken)
    assert isinstance(open_entries(), KeyringEntries)


def test_labels_are_one_printable_line_and_never_empty() -> None:
    assert label(SecretAbout("a\tb\u202ec\u2028d")) == "TokenDeck — a b c d"
    assert label(SecretAbout("\x00\n")) == "TokenDeck — secret"
    assert label(SecretAbout("x" * 500)).endswith("x" * 10)
    assert len(label(SecretAbout("x" * 500))) == len("TokenDeck — ") + 200
    assert label(SecretAbout("k"), (2, 3)) == "TokenDeck — k (part 2 of 3)"
    assert keyring_entries.attributes(SecretAbout("t"), "u") == {
        "service": SERVICE,
        "username": "u",
        "application": SERVICE,
    }


def test_on_linux_the_secret_service_is_used_without_importing_python_keyring(
    tmp_path: Any,
) -> None:
    """python-keyring's import and its search for a backend (21 MiB, 235 ms of start-up) are
    skipped when nobody told it what to use; telling it (here its environment variable) is
    honoured."""
    import os
    import subprocess
    import sys

    need_secret_service()
    probe = (
        "import sys; from tokendeck.storage.keyring_entries import open_entries; "
        "e = open_entries(); print(type(e).__name__, 'keyring' in sys.modules); e.close()"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env["XDG_CONFIG_HOME"] = str(tmp_path)  # no keyringrc.cfg there
    plain = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert plain.stdout.split() == ["SecretServiceEntries", "False"]
    told = dict(env, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    chosen = subprocess.run(
        [sys.executable, "-c", probe], env=told, capture_output=True, text=True, check=True
    )
    assert chosen.stdout.split() == ["KeyringEntries", "True"]
    config = tmp_path / "python_keyring"
    config.mkdir()
    (config / "keyringrc.cfg").write_text(
        "[backend]\ndefault-keyring=keyring.backends.null.Keyring\n"
    )
    configured = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert configured.stdout.split() == ["KeyringEntries", "True"]
