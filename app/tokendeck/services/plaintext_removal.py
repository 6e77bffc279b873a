"""Taking the plaintext copies of imported credentials out of their files.

Only what the file still holds unchanged is taken out: a value that changed since it was read
(the Dataloop SDK refreshed its token, someone edited the .env) is left where it is, and said.
- a cookie environment loses its `token` and `refresh_token` (the rest of the cookie stays: the
  SDK asks to sign in again); the SDK's own lock file (`cookie.json.lock`, an flock as its
  `filelock` takes) is held meanwhile;
- a .env file loses the lines of the imported variables, nothing else;
- a private key file is deleted.
A file is rewritten whole or not at all (written beside it, fsynced, renamed over it: private
to the user, 0600). Deleting does not scrub the disk's old blocks; that is the file system's.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from tokendeck.core import plaintext, safe_json
from tokendeck.core.secret import Secret
from tokendeck.services.plaintext_model import Find, Removal, RemovalResult
from tokendeck.services.plaintext_reading import read_text
from tokendeck.storage.vault import write_file_atomically

LOCK_WAIT_SECONDS = 10.0  # how long the Dataloop SDK's lock on its cookie is waited for


def same(a: object, b: object) -> bool:
    """Equal values (text or Secret), compared in constant time, stripped (files end lines their
    own way). Anything else (a cookie's null or number) is never equal."""

    def text(value: object) -> str | None:
        if isinstance(value, Secret):
            return value.reveal()
        return value if isinstance(value, str) else None

    left, right = text(a), text(b)
    if left is None or right is None:
        return False
    return hmac.compare_digest(left.strip().encode(), right.strip().encode())


def remove_copies(finds: Sequence[Find]) -> list[RemovalResult]:
    by_file: dict[Path, list[Find]] = {}
    out: list[RemovalResult] = []
    for find in finds:
        if find.removal is Removal.KEEP:
            out.append(RemovalResult(find.source, 0, f"{find.source}: stays. {find.note}"))
        else:
            by_file.setdefault(find.source, []).append(find)
    for path, group in by_file.items():
        try:
            with _dataloop_lock(path, group):
                out.append(_remove_from(path, group))
        except OSError as error:
            reason = error.strerror or str(error) or type(error).__name__
            out.append(RemovalResult(path, 0, f"{path}: not changed ({reason}).", True))
        except (ValueError, TypeError):  # not the file it was (the cookie is not JSON now)
            out.append(RemovalResult(path, 0, f"{path}: kept, it changed since it was read.", True))
    return out


@contextlib.contextmanager
def _dataloop_lock(path: Path, group: Sequence[Find]) -> Iterator[None]:
    """The Dataloop SDK's own lock on its cookie (`filelock` flocks `cookie.json.lock`), so
    the SDK does not write the cookie between our read and our write."""
    if not any(f.removal is Removal.COOKIE_LOGIN for f in group):
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: filelock uses msvcrt there; the rename is still atomic
        yield
        return
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a") as lock:  # the SDK creates it the same way
        waited = 0.0
        while True:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waited >= LOCK_WAIT_SECONDS:
                    raise OSError("the Dataloop SDK keeps its cookie locked") from None
                time.sleep(0.1)
                waited += 0.1
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _remove_from(path: Path, group: Sequence[Find]) -> RemovalResult:
    text = read_text(path)
    target = path.resolve()  # a symbolic link stays one: its target is rewritten
    if any(f.removal is Removal.FILE for f in group):
        # Deleted only while it holds that key and nothing else.
        if not same(text, group[0].secrets.get("private_key")):
            return RemovalResult(path, 0, f"{path}: kept, it changed since it was read.", True)
        target.unlink()
        return RemovalResult(path, 1, f"{path}: deleted.")
    if any(f.removal is Removal.COOKIE_LOGIN for f in group):
        new_text, removed = _without_logins(text, group)
    else:
        new_text, removed = _without_variables(text, group)
    if removed:
        write_file_atomically(target, new_text.encode())
    left = len(group) - removed
    said = f"{path}: {_count(removed)} taken out"
    if left:
        said += f"; {_count(left)} kept, changed since it was read"
    return RemovalResult(path, removed, said + ".", bool(left))


def _count(n: int) -> str:
    return "1 credential" if n == 1 else f"{n} credentials"


def _without_logins(text: str, group: Sequence[Find]) -> tuple[str, int]:
    data = safe_json.loads(text)
    logins = data.get("login_parameters") if isinstance(data, Mapping) else None
    if not isinstance(logins, dict):
        return text, 0
    removed = 0
    for find in group:
        entry = logins.get(find.removal_key)
        if not isinstance(entry, dict) or not same(entry.get("token"), find.secrets["session"]):
            continue
        refresh = entry.get("refresh_token")
        if refresh and not same(refresh, find.secrets.get("refresh")):
            continue  # renewed since it was read: the new refresh token is nowhere else
        entry.pop("token", None)
        entry.pop("refresh_token", None)
        removed += 1
    return json.dumps(data, indent=2), removed  # as the SDK writes it


def _expected(find: Find, value: str) -> bool:
    """Whether a variable's value is still what was imported from it."""
    if "private_key" in find.secrets:
        return same(plaintext.openssh_private_key(value), find.secrets["private_key"])
    return any(same(value, find.secrets[k]) for k in ("token", "api_key") if k in find.secrets)


def _without_variables(text: str, group: Sequence[Find]) -> tuple[str, int]:
    bindings = plaintext.read_env(text)
    spans: list[tuple[int, int]] = []
    removed = 0
    for find in group:
        lines = [b for b in bindings if b.name == find.removal_key and _expected(find, b.value)]
        if lines:
            spans.extend((b.start, b.end) for b in lines)
            removed += 1
    return plaintext.without_spans(text, spans), removed
