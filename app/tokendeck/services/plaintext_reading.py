"""Reading a file that may hold plaintext credentials (never blocking on a FIFO or a device,
never more than `MAX_FILE_BYTES`), and the finds a private key makes: its type read without its
passphrase, its public fingerprint, whether Encord can use it. Also the small judgements every
find shares: a name made printable, a token's expiry and its note."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

from tokendeck.core import plaintext
from tokendeck.core.models import PLATFORM_NAMES, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.token_decode import TokenFormatError, inspect_token
from tokendeck.services.plaintext_model import Find, FindKind, Removal


def read_text(path: Path) -> str:
    """The file's text; OSError (with a message naming no content) when it cannot be read as
    text of at most MAX_FILE_BYTES."""
    if path.is_dir():
        raise OSError("a folder, not a file: give the files in it.")
    # Opened without blocking and checked to be a regular file before reading: a FIFO, a
    # terminal or a device (named by a .env's ENCORD_SSH_KEY_FILE, say) would block the read.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file: not read.")
        data = handle.read(plaintext.MAX_FILE_BYTES + 1)
    if len(data) > plaintext.MAX_FILE_BYTES:
        raise OSError(f"larger than {plaintext.MAX_FILE_BYTES // 1024} KiB: not read.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OSError("not text (UTF-8).") from None


def fingerprint(key: Secret, platform: Platform) -> tuple[str, str]:
    """(the key's public fingerprint as ssh-keygen -l shows it, a note), or ("", why not)."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives import serialization

    from tokendeck.platforms.encord_signing import EncordKeyError, load_private_key

    kind = plaintext.openssh_key_type(key)
    if kind is None:
        return "", "Not an OpenSSH private key that can be read."
    if kind != "ssh-ed25519":
        return "", f"An {kind} key: {PLATFORM_NAMES[platform]} needs an Ed25519 key."
    try:
        private = load_private_key(key)
    except EncordKeyError as error:
        if "passphrase" in str(error):
            return "", "Protected by a passphrase: enter it in Edit account after the import."
        return "", str(error)
    blob = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    digest = hashlib.sha256(base64.b64decode(blob.split()[1])).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("="), ""


def key_file_finds(
    path: Path, key: Secret, place: str, platform: Platform
) -> tuple[list[Find], str]:
    """An account of `platform` signing in with the key, when it can (Ed25519)."""
    shown, note = fingerprint(key, platform)
    if not shown and not note.startswith("Protected"):
        return [], note
    find = Find(
        source=path,
        place=place,
        kind=FindKind.SSH_KEY,
        what=f"{PLATFORM_NAMES[platform]} SSH private key (Ed25519)",
        name=f"{PLATFORM_NAMES[platform]} ({readable(path.stem)})",
        shown=shown or "(passphrase-protected)",
        secrets={"private_key": key},
        platform=platform,
        note=note,
        removal=Removal.FILE,
    )
    return [find], ""


def readable(text: str) -> str:
    """Text from a file made fit for a name: printable characters only, at most 80."""
    return "".join(c for c in text if c.isprintable()).strip()[:80]


def token_note(expires_at: datetime | None, now: datetime) -> str:
    return "Already expired." if expires_at is not None and expires_at <= now else ""


def expiry(token: Secret) -> datetime | None:
    try:
        return inspect_token(token.reveal()).expires_at
    except TokenFormatError:
        return None
