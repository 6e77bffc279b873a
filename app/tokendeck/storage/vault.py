"""An encrypted vault file, for machines with no usable system keyring.

Format (JSON, one file): the scrypt parameters and salt, a fresh 96-bit nonce per save, and the
AES-256-GCM ciphertext of `{"ref": "secret", ...}`, with the header bound as associated data so
the parameters cannot be swapped. The key is derived once per session from the master password.

Longer than most modules (~520 lines): the file format, its locking and its crash-safe writing are
one durability contract; each rule below refers to the others.

Two processes (the window and `tokendeck token`) share the file, so the file is the only truth:
  * every read and every change holds the OS lock on `<vault>.lock` (shared to read, exclusive to
    change; see `secret_store.store_lock`);
  * a change (`set`, `delete`) re-reads the current file under the lock and applies only its own
    entry to it: no process ever writes back a stale copy of the others' secrets;
  * the new file is written completely (every byte checked), fsynced, renamed over the vault, and
    the directory fsynced: a crash, a full disk or a quota leaves the old vault in place and the
    change raises `VaultWriteError`; nothing is ever reported saved that is not on disk;
  * the vault as it was before the change is kept as `<vault>.prev` (one generation): if the
    current file is found damaged, the previous one is read instead, and a change made then keeps
    the damaged file as `<vault>.damaged` rather than overwriting the good generation.

Reading a file never trusts it: size, header, KDF parameters (bounded before scrypt runs, so an
absurd cost cannot exhaust memory), salt, nonce and ciphertext are all checked, and every kind of
damage is a `VaultCorruptError`. A wrong password is a `VaultPasswordError`. Both say the file was
left untouched, which it is.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokendeck.core.secret import Secret
from tokendeck.core.store_status import StoreKind
from tokendeck.storage.secret_store import SecretAbout, SecretStoreError, store_lock

log = logging.getLogger(__name__)

FORMAT = "tokendeck-vault"
VERSION = 1
LOCK_TIMEOUT = 30.0
MAX_FILE_BYTES = 64 * 2**20
NONCE_BYTES = 12
TAG_BYTES = 16
SALT_BYTES = range(16, 65)
# scrypt bounds: a damaged or hostile header must never make scrypt allocate or spin without end.
MIN_N, MAX_N = 2**10, 2**20
MAX_R, MAX_P = 32, 16
MAX_KDF_MEMORY = 2**30  # 128 * n * r bytes


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """OWASP's minimum for scrypt (N=2^17, r=8, p=1): about 128 MiB and a fraction of a second."""

    n: int = 2**17
    r: int = 8
    p: int = 1


class VaultError(SecretStoreError):
    """Anything the vault explains: every failure of reading or writing it is one of these."""


class VaultPasswordError(VaultError):
    """The master password does not open this vault."""


class VaultCorruptError(VaultError):
    """The vault file is damaged or not a TokenDeck vault; it is left untouched."""


class VaultWriteError(VaultError):
    """A change could not be written (disk full, quota, I/O error); the vault on disk is intact."""


class VaultReplacedError(VaultError):
    """The vault file now belongs to another vault (another salt / parameters): unlock again."""


@dataclass(frozen=True, slots=True)
class _Sealed:
    """A parsed, checked vault document, not yet decrypted."""

    params: ScryptParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes
    aad: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError(f"{what} is not base64 text")
    return base64.b64decode(text, validate=True)


def _whole(value: Any, what: str) -> int:
    if type(value) is not int:  # not a bool, a float, a string of digits, ...
        raise ValueError(f"{what} is not a whole number")
    return value


def check_params(params: ScryptParams) -> None:
    """Refuse scrypt parameters TokenDeck never writes, before scrypt sees them."""
    n, r, p = params.n, params.r, params.p
    if not (MIN_N <= n <= MAX_N and n & (n - 1) == 0):
        raise ValueError("scrypt n is out of range")
    if not (1 <= r <= MAX_R and 1 <= p <= MAX_P) or 128 * n * r > MAX_KDF_MEMORY:
        raise ValueError("scrypt r or p is out of range")


def _parse(raw: bytes, path: Path) -> _Sealed:
    try:
        if len(raw) > MAX_FILE_BYTES:
            raise ValueError("the file is far too large")
        doc = json.loads(raw)
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        if doc.get("format") != FORMAT or type(doc.get("version")) is not int:
            raise ValueError("not a TokenDeck vault")
        if doc["version"] != VERSION:
            raise ValueError("a vault version this TokenDeck does not know")
        kdf = doc.get("kdf")
        if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
            raise ValueError("unknown key derivation")
        params = ScryptParams(
            n=_whole(kdf.get("n"), "n"), r=_whole(kdf.get("r"), "r"), p=_whole(kdf.get("p"), "p")
        )
        check_params(params)
        salt = _unb64(kdf.get("salt"), "the salt")
        nonce = _unb64(doc.get("nonce"), "the nonce")
        ciphertext = _unb64(doc.get("ciphertext"), "the ciphertext")
        if len(salt) not in SALT_BYTES:
            raise ValueError("the salt has the wrong length")
        if len(nonce) != NONCE_BYTES:
            raise ValueError("the nonce has the wrong length")
        if len(ciphertext) < TAG_BYTES:
            raise ValueError("the ciphertext is too short")
        return _Sealed(params, salt, nonce, ciphertext, _aad(doc))
    except ValueError as exc:  # our own checks, bad JSON, bad UTF-8, bad base64
        reason = str(exc) if not isinstance(exc, json.JSONDecodeError) else "not JSON"
    except (RecursionError, MemoryError, TypeError, KeyError, AttributeError) as exc:
        reason = type(exc).__name__
    raise VaultCorruptError(
        f"The vault file {path} is damaged or not a TokenDeck vault ({reason[:80]}). "
        "It was left untouched."
    )


def _derive(password: Secret, salt: bytes, params: ScryptParams) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    try:
        check_params(params)
        kdf = Scrypt(salt=salt, length=32, n=params.n, r=params.r, p=params.p)
        return kdf.derive(password.reveal().encode("utf-8"))
    except (ValueError, OverflowError, MemoryError, UnicodeError) as exc:
        raise VaultCorruptError(
            f"The vault's key derivation cannot run ({type(exc).__name__}). Nothing was changed."
        ) from None


def _decrypt(sealed: _Sealed, key: bytes) -> dict[str, str]:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        plaintext = AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, sealed.aad)
    except InvalidTag:
        raise VaultPasswordError(
            "Wrong master password, or the vault file was altered. Nothing was changed."
        ) from None
    try:
        values = json.loads(plaintext)
    except (ValueError, RecursionError, MemoryError):
        values = None
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise VaultCorruptError("The vault opened but its content is damaged.")
    return values


def _aad(doc: dict[str, Any]) -> bytes:
    header = {k: doc[k] for k in ("format", "version", "kdf")}
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _read(path: Path) -> bytes | None:
    """The file's bytes, or None if there is no such file."""
    try:
        with path.open("rb") as file:
            return file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise VaultError(
            f"Could not read the vault file {path.name} ({exc.strerror or type(exc).__name__})."
        ) from None


def _fsync_dir(directory: Path) -> None:
    if os.name == "nt":  # directories cannot be opened (nor need to be synced) there
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write every byte of `data` to a new file, fsync it, rename it over `path`, fsync the
    directory. Any failure (a short write included) raises OSError and leaves `path` as it was."""
    directory = path.parent
    tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            view = memoryview(data)
            written = 0
            while written < len(data):
                count = os.write(fd, view[written:])
                if count <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                written += count
            os.fsync(fd)
            if os.fstat(fd).st_size != len(data):
                raise OSError(errno.EIO, "the file on disk is not the size written")
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(directory)


def _write_error(exc: OSError) -> VaultWriteError:
    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason = f"the disk is full or over its quota: {reason}"
    return VaultWriteError(
        f"Could not save the vault ({reason}). The change was not saved; the vault on disk is "
        "intact."
    )


class Vault:
    """Use `await Vault.create(...)` or `await Vault.unlock(...)`; both do the KDF off-thread."""

    def __init__(
        self,
        path: Path,
        key: bytes,
        salt: bytes,
        params: ScryptParams,
        *,
        seen: tuple[bytes, dict[str, str]] | None = None,
        recovered: bool = False,
    ) -> None:
        self._path = path
        self._key = key
        self._salt = salt
        self._params = params
        # The bytes of the current file last read or written, and their values: a read whose
        # file is byte-for-byte the same skips decrypting it again.
        self._seen = seen
        self._lock = threading.Lock()
        self.lock_timeout = LOCK_TIMEOUT
        self.recovered = recovered

    @property
    def kind(self) -> StoreKind:
        return StoreKind.VAULT

    @property
    def description(self) -> str:
        return f"Encrypted vault ({self._path.name})"

    @property
    def path(self) -> Path:
        return self._path

    @property
    def previous_path(self) -> Path:
        return self._path.with_name(self._path.name + ".prev")

    @property
    def damaged_path(self) -> Path:
        return self._path.with_name(self._path.name + ".damaged")

    @staticmethod
    def lock_path_for(path: Path) -> Path:
        return path.with_name(path.name + ".lock")

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    async def create(
        cls, path: Path, password: Secret, params: ScryptParams | None = None
    ) -> Vault:
        if len(password) < 8:
            raise VaultPasswordError("Choose a master password of at least 8 characters.")
        if path.exists():
            raise SecretStoreError(f"A vault already exists at {path}; unlock it instead.")
        chosen = params or ScryptParams()
        try:
            check_params(chosen)
        except ValueError as exc:
            raise SecretStoreError(f"Refused scrypt parameters: {exc}.") from None
        salt = secrets.token_bytes(16)
        key = await asyncio.to_thread(_derive, password, salt, chosen)
        vault = cls(path, key, salt, chosen)
        await asyncio.to_thread(vault._create_file)
        return vault

    def _create_file(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._file_lock(shared=False):
            if self._path.exists():
                raise SecretStoreError(
                    f"A vault already exists at {self._path}; unlock it instead."
                )
            data = self._seal({})
            try:
                write_file_atomically(self._path, data)
            except OSError as exc:
                raise _write_error(exc) from None
            self._seen = (data, {})

    @classmethod
    async def unlock(cls, path: Path, password: Secret) -> Vault:
        return await asyncio.to_thread(cls._unlock_sync, path, password)

    @classmethod
    def _unlock_sync(cls, path: Path, password: Secret) -> Vault:
        if not path.parent.is_dir():
            raise SecretStoreError(f"There is no vault at {path}.")
        with store_lock(
            cls.lock_path_for(path), shared=True, timeout=LOCK_TIMEOUT, what="the vault"
        ):
            raw = _read(path)
            if raw is None:
                raise SecretStoreError(f"There is no vault at {path}.")
            key: bytes | None = None
            try:
                sealed = _parse(raw, path)
                key = _derive(password, sealed.salt, sealed.params)
                values = _decrypt(sealed, key)
                return cls(path, key, sealed.salt, sealed.params, seen=(raw, values))
            except (VaultCorruptError, VaultPasswordError) as exc:
                first = exc
            previous = _read(path.with_name(path.name + ".prev"))
            current = _header(raw, path)
            if previous is None or (current is not None and current != _header(previous, path)):
                # A file of another salt or cost is another vault's (or its header is damaged):
                # a session could never use it (see `_open_bytes`), so it is not read around.
                raise first
            try:
                sealed = _parse(previous, path)
                if key is None:  # the current file could not be parsed
                    key = _derive(password, sealed.salt, sealed.params)
                values = _decrypt(sealed, key)
            except VaultError:
                raise first from None
        log.warning("The vault file is damaged; opened its previous generation instead.")
        return cls(path, key, sealed.salt, sealed.params, recovered=True)

    # -- reading and changing ----------------------------------------------------------------

    def _file_lock(self, *, shared: bool) -> AbstractContextManager[None]:
        return store_lock(
            self.lock_path_for(self._path),
            shared=shared,
            timeout=self.lock_timeout,
            what="the vault",
        )

    def _seal(self, values: dict[str, str]) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "kdf": {
                "name": "scrypt",
                "n": self._params.n,
                "r": self._params.r,
                "p": self._params.p,
                "salt": _b64(self._salt),
            },
        }
        nonce = secrets.token_bytes(NONCE_BYTES)
        plaintext = json.dumps(values, separators=(",", ":")).encode()
        doc["nonce"] = _b64(nonce)
        doc["ciphertext"] = _b64(AESGCM(self._key).encrypt(nonce, plaintext, _aad(doc)))
        return json.dumps(doc, indent=1).encode()

    def _open_bytes(self, raw: bytes) -> dict[str, str]:
        """Decrypt a generation of this vault with the session's key."""
        if self._seen is not None and raw == self._seen[0]:
            return dict(self._seen[1])
        sealed = _parse(raw, self._path)
        if (sealed.salt, sealed.params) != (self._salt, self._params):
            raise VaultReplacedError(
                f"The vault file {self._path} was replaced by another vault (a new master "
                "password?). Nothing was changed; unlock it again."
            )
        try:
            return _decrypt(sealed, self._key)
        except VaultPasswordError:  # the session's key is right: the file was altered
            raise VaultCorruptError(
                f"The vault file {self._path} was altered or damaged. It was left untouched."
            ) from None

    def _current(self) -> tuple[bytes, dict[str, str], bool]:
        """Under the lock: (current file's bytes, values, whether they came from that file).

        A damaged current file is answered from the previous generation when that one is good."""
        if not self._key:
            raise VaultError("The vault is closed: unlock it again.")
        raw = _read(self._path)
        if raw is None:
            raise VaultError(
                f"The vault file {self._path} is gone. Nothing was changed; restore it or create "
                "a new vault."
            )
        try:
            values = self._open_bytes(raw)
        except VaultReplacedError:
            raise
        except VaultCorruptError as damage:
            previous = _read(self.previous_path)
            if previous is None:
                raise
            try:
                values = self._open_bytes(previous)
            except VaultError:
                raise damage from None
            log.warning("The vault file is damaged; read its previous generation instead.")
            return raw, values, False
        self._seen = (raw, values)
        return raw, dict(values), True

    def _read_values(self) -> dict[str, str]:
        with self._file_lock(shared=True):
            return self._current()[1]

    def _change(self, change: Callable[[dict[str, str]], bool]) -> None:
        """Apply `change` to the vault as it is on disk now, under the exclusive lock."""
        with self._lock, self._file_lock(shared=False):
            raw, values, from_current = self._current()
            if not change(values):
                return
            data = self._seal(values)
            self._remove_stale_temporaries()
            try:
                # Keep the generation being replaced; never let a damaged file push out a good one.
                write_file_atomically(
                    self.previous_path if from_current else self.damaged_path, raw
                )
                write_file_atomically(self._path, data)
            except OSError as exc:
                raise _write_error(exc) from None
            self._seen = (data, values)

    def _remove_stale_temporaries(self) -> None:
        """Temporary files left by a process killed mid-write (we hold the exclusive lock)."""
        for leftover in self._path.parent.glob(f".{self._path.name}*.tmp"):
            leftover.unlink(missing_ok=True)

    async def get(self, ref: str) -> Secret | None:
        value = (await asyncio.to_thread(self._read_values)).get(ref)
        return Secret(value) if value is not None else None

    async def present(self, refs: Sequence[str]) -> frozenset[str]:
        values = await asyncio.to_thread(self._read_values)
        return frozenset(ref for ref in refs if ref in values)

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        value = secret.reveal()

        def put(values: dict[str, str]) -> bool:
            if values.get(ref) == value:
                return False
            values[ref] = value
            return True

        await asyncio.to_thread(self._change, put)

    async def delete(self, ref: str) -> None:
        def remove(values: dict[str, str]) -> bool:
            return values.pop(ref, None) is not None

        await asyncio.to_thread(self._change, remove)

    def refs(self) -> list[str]:
        """The refs held now (reads the file)."""
        return sorted(self._read_values())

    async def aclose(self) -> None:
        self._seen = None
        self._key = b""


def _header(raw: bytes, path: Path) -> tuple[bytes, ScryptParams] | None:
    try:
        sealed = _parse(raw, path)
    except VaultCorruptError:
        return None
    return sealed.salt, sealed.params
