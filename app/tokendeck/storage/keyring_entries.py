"""One keyring entry at a time, plus a listing of every entry: the OS keyring's adapters.

`KeyringStore` (keyring_store.py) builds its secrets, long ones split into parts, out of entries
named by a user string ("<namespace>:<ref>") under the service "TokenDeck". Two adapters give it
those entries, chosen once when the store's worker loads (a fallback chain, best first):

- `SecretServiceEntries` talks to the freedesktop Secret Service (GNOME Keyring, KWallet's
  provider, KeePassXC) through `secretstorage` on ONE D-Bus connection and one session for the
  life of the store, where python-keyring opens a connection and a new encrypted session for
  every call (about 23 ms each: a start-up check of 2,000 secrets took 47 s). Each item gets a
  label a person can read in Seahorse or KWallet ("TokenDeck — Dataloop prod: Session token")
  and attributes naming the application, the account id and the kind, never a secret. It still
  carries python-keyring's own attributes (service, username), so entries stay readable by
  `keyring` and by earlier TokenDeck releases, whose items it finds and replaces. Listing every
  entry is one search plus the items' attributes asked for in pipelined batches.
- `KeyringEntries` is python-keyring for every other backend (macOS Keychain, Windows Credential
  Locker, KWallet over its own API, tests' in-memory backends). It has no listing, so presence
  is checked one entry at a time (`users()` returns None).

On Linux the Secret Service is tried before python-keyring is even imported, unless
python-keyring was told what to use (PYTHON_KEYRING_BACKEND, its keyringrc.cfg, or a backend
already set in this process): importing it and letting it pick a backend cost 21 MiB and
235 ms of the start-up's interpreter time, to arrive at the same Secret Service. (It could
arrive elsewhere only where dbus-python is importable, which the bundle and the .deb do not
ship: on KDE python-keyring then prefers KWallet's own API; set PYTHON_KEYRING_BACKEND to keep
that choice.)

Every method runs on the store's one worker thread; none is safe to call from two threads.
"""

from __future__ import annotations

import logging
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any, Protocol

from tokendeck.storage.secret_store import SecretAbout

log = logging.getLogger(__name__)

SERVICE = "TokenDeck"
LABEL_PREFIX = "TokenDeck — "
# python-keyring's attribute names (its "default" scheme): kept so `keyring` finds our items.
_SERVICE_ATTR = "service"
_USER_ATTR = "username"
_BATCH = 200  # attribute requests in flight at once on the bus
_BATCH_TIMEOUT = 30.0  # seconds for the answers of one batch
_SS_BUS = "org.freedesktop.secrets"
_SS_PATH = "/org/freedesktop/secrets"
_SS_IFACE = "org.freedesktop.Secret"


def label(about: SecretAbout, part: tuple[int, int] | None = None) -> str:
    """ "TokenDeck — Dataloop prod: Session token", and "(part 2 of 3)" for a piece."""
    text = LABEL_PREFIX + _printable(about.title)
    return text if part is None else f"{text} (part {part[0]} of {part[1]})"


def attributes(about: SecretAbout, user: str) -> dict[str, str]:
    """python-keyring's two (so `keyring` reads the entry) and the application, account, kind."""
    found = {_SERVICE_ATTR: SERVICE, _USER_ATTR: user, "application": SERVICE}
    if about.account_id:
        found["account-id"] = about.account_id
    if about.kind:
        found["kind"] = about.kind
    return found


def _printable(text: str) -> str:
    """One line without control or format characters (an account name is typed by a person)."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )
    return " ".join(cleaned.split())[:200] or "secret"


class Entries(Protocol):
    """The keyring as a map from user string to text, under the service "TokenDeck"."""

    name: str  # the backend, for the status bar ("SecretService")
    backend: str  # the backend in full, for the probe's message ("SecretService.Keyring")

    def get(self, user: str) -> str | None: ...

    def set(self, user: str, value: str, about: SecretAbout, part: tuple[int, int] | None) -> None:
        """Create or replace the entry; `part` is (i, n) for a piece of a long secret."""
        ...

    def delete(self, user: str) -> bool:
        """Remove the entry; False if there was none."""
        ...

    def users(self, prefix: str) -> frozenset[str] | None:
        """Every user string starting with `prefix` that has an entry, read in bulk; None when
        the backend cannot list (then presence is checked entry by entry)."""
        ...

    def close(self) -> None: ...


class KeyringEntries:
    """python-keyring, whatever backend it picked (the fallback)."""

    def __init__(self, keyring: Any) -> None:
        self._keyring = keyring
        chosen = keyring.get_keyring()
        self.name = type(chosen).__module__.rpartition(".")[2]
        self.backend = f"{self.name}.{type(chosen).__name__}"

    def get(self, user: str) -> str | None:
        value: str | None = self._keyring.get_password(SERVICE, user)
        return value

    def set(self, user: str, value: str, about: SecretAbout, part: tuple[int, int] | None) -> None:
        self._keyring.set_password(SERVICE, user, value)

    def delete(self, user: str) -> bool:
        try:
            self._keyring.delete_password(SERVICE, user)
        except self._keyring.errors.PasswordDeleteError:
            return False
        return True

    def users(self, prefix: str) -> frozenset[str] | None:
        return None

    def close(self) -> None:
        return None


class SecretServiceEntries:
    """The Secret Service over one D-Bus connection and one session (see the module text)."""

    name = "SecretService"
    backend = "SecretService"

    def __init__(self) -> None:
        import secretstorage
        from secretstorage.util import open_session

        self._ss = secretstorage
        self._connection = secretstorage.dbus_init()
        try:
            path = default_collection_path(self._connection)
            if path is None:  # none yet (secretstorage makes one), or no ReadAlias here
                log.info("Secret Service: no default collection named; using its alias")
                self._collection = secretstorage.get_default_collection(self._connection)
            else:
                self._collection = secretstorage.Collection(self._connection, path)
            if self._collection.is_locked():
                self._collection.unlock()
                if self._collection.is_locked():
                    raise secretstorage.exceptions.LockedException("The keyring is locked.")
            self._session = open_session(self._connection)
            self._collection.session = self._session
        except BaseException:
            self._connection.close()
            raise

    def _items(self, user: str) -> list[Any]:
        found = self._collection.search_items({_SERVICE_ATTR: SERVICE, _USER_ATTR: user})
        return [self._with_session(item) for item in found]

    def _with_session(self, item: Any) -> Any:
        item.session = self._session
        return item

    def _newest(self, items: list[Any]) -> Any:
        """Two items for one entry exist only if a write stopped between creating the new item
        and deleting the old one (an item of an earlier release, with other attributes): the
        newer one is the entry."""
        if len(items) == 1:
            return items[0]
        return max(items, key=lambda item: (item.get_modified(), item.get_created()))

    def get(self, user: str) -> str | None:
        items = self._items(user)
        if not items:
            return None
        item = self._newest(items)
        if item.is_locked():
            item.unlock()
        secret: bytes = item.get_secret()
        return secret.decode("utf-8")

    def set(self, user: str, value: str, about: SecretAbout, part: tuple[int, int] | None) -> None:
        before = self._items(user)
        created = self._collection.create_item(
            label(about, part), attributes(about, user), value.encode("utf-8"), replace=True
        )
        for item in before:  # items of earlier releases carry other attributes
            if item.item_path != created.item_path:
                item.delete()

    def delete(self, user: str) -> bool:
        items = self._items(user)
        for item in items:
            item.delete()
        return bool(items)

    def users(self, prefix: str) -> frozenset[str] | None:
        from jeepney import new_method_call

        reply = self._connection.send_and_get_reply(
            new_method_call(_service(), "SearchItems", "a{ss}", ({_SERVICE_ATTR: SERVICE},))
        )
        if _is_error(reply):
            raise self._ss.exceptions.SecretStorageException("The keyring refused a search.")
        unlocked, locked = reply.body
        paths = [*unlocked, *locked]
        found: list[str] = []
        for start in range(0, len(paths), _BATCH):
            found += self._users_of(paths[start : start + _BATCH], prefix)
        return frozenset(found)

    def _users_of(self, paths: list[str], prefix: str) -> list[str]:
        """Ask for the attributes of every item in `paths` at once, then read the answers: one
        round trip for the batch instead of one per item."""
        from jeepney import DBusAddress, Properties
        from jeepney.low_level import HeaderFields

        waiting: set[int] = set()
        for path in paths:
            serial = next(self._connection.outgoing_serial)
            item = DBusAddress(path, _SS_BUS, f"{_SS_IFACE}.Item")
            self._connection.send(Properties(item).get("Attributes"), serial=serial)
            waiting.add(serial)
        found: list[str] = []
        while waiting:
            message = self._connection.receive(timeout=_BATCH_TIMEOUT)
            serial = message.header.fields.get(HeaderFields.reply_serial, -1)
            if serial not in waiting:
                continue  # a signal, or an answer to nothing we wait for
            waiting.discard(serial)
            if _is_error(message):
                continue  # the item went away meanwhile
            _signature, attributes = message.body[0]
            if attributes.get(_SERVICE_ATTR) != SERVICE:
                continue
            user = attributes.get(_USER_ATTR, "")
            if user.startswith(prefix):
                found.append(user)
        return found

    def close(self) -> None:
        self._connection.close()


def default_collection_path(connection: Any) -> str | None:
    """The object path of the collection the "default" alias names, asked once (ReadAlias), or
    None when there is no default collection.

    Calls are then sent to that path, never to /org/freedesktop/secrets/aliases/default:
    gnome-keyring (42.1, and its main branch as of December 2026) rewrites an alias path in its
    D-Bus worker thread while its main thread frees and replaces the alias's string each time
    a new client makes its first call (`update_default` in gkd-secret-service.c). A call to the
    alias path while another program connects can so be sent to a garbage path and fail with
    "Object does not exist at path /org/freedesktop/secrets/collection/_94_e2_adw_5d" (8 calls
    in 17,000 over 20 s while two threads kept connecting; CI met it once). ReadAlias is
    answered on the main thread, so it is not raced. It is asked once per store (the life of the
    app): a default changed meanwhile in Seahorse is followed at the next start, and the
    entries stay where they were written until then."""
    from jeepney import new_method_call

    reply = connection.send_and_get_reply(
        new_method_call(_service(), "ReadAlias", "s", ("default",))
    )
    if _is_error(reply):
        return None
    path = str(reply.body[0])
    return None if path == "/" else path


def _service() -> Any:
    """The Secret Service's own object (jeepney is imported when the store's worker needs it)."""
    from jeepney import DBusAddress

    return DBusAddress(_SS_PATH, _SS_BUS, f"{_SS_IFACE}.Service")


def _is_error(message: Any) -> bool:
    from jeepney.low_level import MessageType

    return bool(message.header.message_type == MessageType.error)


def open_entries() -> Entries:
    """The best adapter there is (see the module text): the Secret Service directly, first on
    Linux unless python-keyring was told otherwise, else when it is python-keyring's choice;
    python-keyring itself for anything else."""
    tried = False
    if sys.platform.startswith("linux") and not python_keyring_was_told():
        tried = True
        try:
            return SecretServiceEntries()
        except Exception as exc:  # no Secret Service here: python-keyring may know better
            log.info("Secret Service not reachable (%s): asking python-keyring", type(exc).__name__)
    import keyring

    chosen = keyring.get_keyring()
    if type(chosen).__module__ == "keyring.backends.SecretService" and not tried:
        try:
            return SecretServiceEntries()
        except Exception as exc:  # python-keyring then meets (and reports) the same failure
            log.warning(
                "Secret Service not usable directly (%s): using python-keyring", type(exc).__name__
            )
    return KeyringEntries(keyring)


def python_keyring_was_told() -> bool:
    """Whether python-keyring's choice of backend was made by someone rather than by its own
    search: its environment variable, its configuration file, or a backend already set in this
    process (`keyring.set_keyring`, as tests do; its private `_keyring_backend`, read with a
    default)."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    if (Path(config_home) / "python_keyring" / "keyringrc.cfg").exists():
        return True
    core = sys.modules.get("keyring.core")
    return getattr(core, "_keyring_backend", None) is not None
