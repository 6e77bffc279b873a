"""An encrypted vault file, for machines with no usable system keyring.

Format (JSON, one file): the scrypt parameters and salt, a fresh 96-bit nonce per save, and the
AES-256-GCM ciphertext of `{"ref": "secret", ...}`, with the header bound as associated data so
the parameters cannot be swapped. The key is derived once per session from the master password.

Saving writes a temporary file in the same directory, fsyncs it, renames it over the vault and
fsyncs the directory: a crash leaves either the old or the new vault, never a torn one. A wrong
password or a damaged file raises a clear error and the file is never written over.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokendeck.core.secret import Secret
from tokendeck.storage.secret_store import SecretStoreError

FORMAT = "tokendeck-vault"
VERSION = 1


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """OWASP's minimum for scrypt (N=2^17, r=8, p=1): about 128 MiB and a fraction of a second."""

    n: int = 2**17
    r: int = 8
    p: int = 1


class VaultPasswordError(SecretStoreError):
    """The master password does not open this vault."""


class VaultCorruptError(SecretStoreError):
    """The vault file is damaged or not a TokenDeck vault; it is left untouched."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text, validate=True)


def _derive(password: Secret, salt: bytes, params: ScryptParams) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=salt, length=32, n=params.n, r=params.r, p=params.p)
    return kdf.derive(password.reveal().encode("utf-8"))


class Vault:
    """Use `await Vault.create(...)` or `await Vault.unlock(...)`; both do the KDF off-thread."""

    def __init__(
        self, path: Path, key: bytes, salt: bytes, params: ScryptParams, values: dict[str, str]
    ) -> None:
        self._path = path
        self._key = key
        self._salt = salt
        self._params = params
        self._values = values
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        return f"Encrypted vault ({self._path.name})"

    @property
    def path(self) -> Path:
        return self._path

    @classmethod
    async def create(
        cls, path: Path, password: Secret, params: ScryptParams | None = None
    ) -> Vault:
        if len(password) < 8:
            raise SecretStoreError("Choose a master password of at least 8 characters.")
        if path.exists():
            raise SecretStoreError(f"A vault already exists at {path}; unlock it instead.")
        chosen = params or ScryptParams()
        salt = secrets.token_bytes(16)
        key = await asyncio.to_thread(_derive, password, salt, chosen)
        vault = cls(path, key, salt, chosen, {})
        await asyncio.to_thread(vault._save)
        return vault

    @classmethod
    async def unlock(cls, path: Path, password: Secret) -> Vault:
        return await asyncio.to_thread(cls._unlock_sync, path, password)

    @classmethod
    def _unlock_sync(cls, path: Path, password: Secret) -> Vault:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise SecretStoreError(f"There is no vault at {path}.") from None
        except OSError as exc:
            raise SecretStoreError(f"Could not read the vault: {exc.strerror}.") from None
        try:
            doc = json.loads(raw)
            if doc.get("format") != FORMAT or doc.get("version") != VERSION:
                raise ValueError("not a TokenDeck vault of a known version")
            kdf = doc["kdf"]
            if kdf.get("name") != "scrypt":
                raise ValueError("unknown key derivation")
            params = ScryptParams(n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"]))
            salt = _unb64(kdf["salt"])
            nonce = _unb64(doc["nonce"])
            ciphertext = _unb64(doc["ciphertext"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise VaultCorruptError(
                f"The vault file {path} is damaged or not a TokenDeck vault ({exc}). "
                "It was left untouched."
            ) from None
        key = _derive(password, salt, params)
        try:
            plaintext = AESGCM(key).decrypt(nonce, ciphertext, _aad(doc))
        except InvalidTag:
            raise VaultPasswordError(
                "Wrong master password, or the vault file was altered. Nothing was changed."
            ) from None
        try:
            values = json.loads(plaintext)
            if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
                raise ValueError("unexpected content")
        except ValueError:
            raise VaultCorruptError("The vault opened but its content is damaged.") from None
        return cls(path, key, salt, params, values)

    def _document(self) -> dict[str, Any]:
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
        nonce = secrets.token_bytes(12)
        plaintext = json.dumps(self._values, separators=(",", ":")).encode()
        doc["nonce"] = _b64(nonce)
        doc["ciphertext"] = _b64(AESGCM(self._key).encrypt(nonce, plaintext, _aad(doc)))
        return doc

    def _save(self) -> None:
        data = json.dumps(self._document(), indent=1).encode()
        directory = self._path.parent
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = directory / f".{self._path.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self._path)
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise SecretStoreError(
                f"Could not save the vault ({exc.strerror}); the previous vault is intact."
            ) from None

    async def get(self, ref: str) -> Secret | None:
        value = self._values.get(ref)
        return Secret(value) if value is not None else None

    async def set(self, ref: str, secret: Secret) -> None:
        await asyncio.to_thread(self._set_sync, ref, secret)

    def _set_sync(self, ref: str, secret: Secret) -> None:
        with self._lock:
            previous = self._values.get(ref)
            self._values[ref] = secret.reveal()
            try:
                self._save()
            except SecretStoreError:
                if previous is None:
                    self._values.pop(ref, None)
                else:
                    self._values[ref] = previous
                raise

    async def delete(self, ref: str) -> None:
        await asyncio.to_thread(self._delete_sync, ref)

    def _delete_sync(self, ref: str) -> None:
        with self._lock:
            if ref not in self._values:
                return
            previous = self._values.pop(ref)
            try:
                self._save()
            except SecretStoreError:
                self._values[ref] = previous
                raise

    def refs(self) -> list[str]:
        return sorted(self._values)

    async def aclose(self) -> None:
        self._values = {}
        self._key = b""


def _aad(doc: dict[str, Any]) -> bytes:
    header = {k: doc[k] for k in ("format", "version", "kdf")}
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
