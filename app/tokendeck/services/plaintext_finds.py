"""What credentials lie in plaintext in given files, and what each would become in TokenDeck.

A file is read for what it is, whatever its name:
- an OpenSSH private key: an Encord account signing in with it (Encord needs Ed25519);
- the Dataloop SDK's cookie (`~/.dataloop/cookie.json`, or `$DATALOOP_PATH/cookie.json`): each
  environment holding a token becomes a Dataloop account holding that session, renewed with its
  refresh token;
- a `.env` file: the variables TokenDeck knows, i.e. each platform's `tokendeck exec` variable
  (`DATALOOP_TOKEN`…, each a token to track) and the ones an account was given, and the Encord
  SDK's own (`ENCORD_SSH_KEY`, `ENCORD_SSH_KEY_FILE`, `ENCORD_API_KEY` with its project or
  dataset id). Anything else in it is left alone.

Reading is all this does (the import service writes); it runs off the UI thread. A file larger
than `MAX_FILE_BYTES` is not read. Nothing here puts a secret in a message.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from tokendeck.core import plaintext
from tokendeck.core.models import PLATFORM_NAMES, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.token_decode import TokenFormatError, inspect_token
from tokendeck.platforms.registry import BY_PLATFORM

ENCORD_KEY_VARIABLES = ("ENCORD_SSH_KEY",)
ENCORD_KEY_FILE_VARIABLES = ("ENCORD_SSH_KEY_FILE",)
ENCORD_LEGACY_KEY_VARIABLES = ("ENCORD_API_KEY", "CORD_API_KEY")
ENCORD_RESOURCE_VARIABLES = (
    "ENCORD_PROJECT_ID",
    "CORD_PROJECT_ID",
    "ENCORD_DATASET_ID",
    "CORD_DATASET_ID",
)


class FindKind(enum.Enum):
    DATALOOP_SESSION = "dataloop_session"  # a sign-in from dtlpy's cookie: becomes an account
    ENCORD_SSH_KEY = "encord_ssh_key"  # becomes an Encord account signing in with it
    ENCORD_LEGACY_KEY = "encord_legacy_key"  # a legacy API key + its project: an Encord account
    TRACKED = "tracked"  # a token in a variable: tracked (Tokens tab)


class Removal(enum.Enum):
    """How the plaintext copy is taken out of its file once the import is verified."""

    COOKIE_LOGIN = "cookie_login"  # the token and refresh token of one cookie environment
    ENV_LINES = "env_lines"  # the variable's lines in the .env file
    FILE = "file"  # the whole file (a private key file)


@dataclass(frozen=True, slots=True)
class Find:
    source: Path
    place: str  # where in the file, for a person: "line 4", "environment https://…"
    kind: FindKind
    what: str  # what it is, e.g. "Dataloop sign-in of ada@example.com"
    name: str  # the account's or the tracked token's name it would get
    shown: str  # the value masked, or the key's fingerprint
    # The secrets, by where they go: "session" / "refresh" (an account's session), a form field
    # ("private_key", "api_key"), or "token" (a tracked token).
    secrets: Mapping[str, Secret]
    platform: Platform | None = None
    host: str = ""
    inputs: Mapping[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None
    note: str = ""
    removal: Removal = Removal.FILE
    removal_key: str = ""  # the cookie environment, or the variable's name

    @property
    def becomes(self) -> str:
        if self.kind is FindKind.TRACKED:
            return f"tracked token “{self.name}”"
        return f"account “{self.name}”"

    def __repr__(self) -> str:  # never the secrets
        return f"Find({self.kind.value} in {self.source}, {self.place})"


@dataclass(frozen=True, slots=True)
class Scanned:
    finds: list[Find]
    problems: list[str]  # one sentence per file or entry that gave nothing, saying why


def token_variables(extra: Mapping[str, Platform] | None = None) -> dict[str, Platform]:
    """The variables holding a token TokenDeck knows: each platform's `tokendeck exec` variable,
    plus the ones given to accounts (`extra`)."""
    known = {spec.exec_env: platform for platform, spec in BY_PLATFORM.items()}
    return {**known, **(extra or {})}


def usual_places(home: Path, cwd: Path, environ: Mapping[str, str]) -> list[Path]:
    """Where plaintext credentials usually lie and that exist here: the Dataloop SDK's cookie,
    and a `.env` in the current directory and in the home directory."""
    dataloop = (
        Path(environ["DATALOOP_PATH"]) if environ.get("DATALOOP_PATH") else home / ".dataloop"
    )
    places = [dataloop / "cookie.json", cwd / ".env", home / ".env"]
    out: list[Path] = []
    for place in places:
        if place.is_file() and place.resolve() not in {p.resolve() for p in out}:
            out.append(place)
    return out


def scan(paths: Sequence[Path], variables: Mapping[str, Platform], now: datetime) -> Scanned:
    finds: list[Find] = []
    problems: list[str] = []
    seen: set[Path] = set()
    for path in paths:
        resolved = path.expanduser().resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        found, problem = _scan_file(path.expanduser(), variables, now)
        finds.extend(found)
        if problem:
            problems.append(f"{path}: {problem}")
    return Scanned(finds, problems)


def read_text(path: Path) -> str:
    """The file's text; OSError (with a message naming no content) when it cannot be read as
    text of at most MAX_FILE_BYTES."""
    if path.is_dir():
        raise OSError("a folder, not a file: give the files in it.")
    with path.open("rb") as handle:
        data = handle.read(plaintext.MAX_FILE_BYTES + 1)
    if len(data) > plaintext.MAX_FILE_BYTES:
        raise OSError(f"larger than {plaintext.MAX_FILE_BYTES // 1024} KiB: not read.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OSError("not text (UTF-8).") from None


def _scan_file(
    path: Path, variables: Mapping[str, Platform], now: datetime
) -> tuple[list[Find], str]:
    try:
        text = read_text(path)
    except FileNotFoundError:
        return [], "no such file."
    except PermissionError:
        return [], "not readable (permission denied)."
    except OSError as error:
        return [], error.strerror or str(error)
    key = plaintext.openssh_private_key(text)
    if key is not None:
        return _key_file(path, key, "the whole file")
    if text.lstrip()[:1] in ("{", "["):  # JSON
        try:
            logins = plaintext.cookie_logins(text)
        except plaintext.NotThisKindError as error:
            return [], f"JSON, but not the Dataloop SDK's cookie ({error})"
        if not logins:
            return [], "the Dataloop SDK's cookie, with no sign-in in it."
        return _cookie_finds(path, logins, now)
    return _env_finds(path, text, variables, now)


def _fingerprint(key: Secret) -> tuple[str, str]:
    """(the key's public fingerprint as ssh-keygen -l shows it, a note), or ("", why not)."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives import serialization

    from tokendeck.platforms.encord_signing import EncordKeyError, load_private_key

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


def _key_file(path: Path, key: Secret, place: str) -> tuple[list[Find], str]:
    shown, note = _fingerprint(key)
    if not shown and not note.startswith("Protected"):
        return [], note
    find = Find(
        source=path,
        place=place,
        kind=FindKind.ENCORD_SSH_KEY,
        what="Encord SSH private key (Ed25519)",
        name=f"Encord ({path.stem})",
        shown=shown or "(passphrase-protected)",
        secrets={"private_key": key},
        platform=Platform.ENCORD,
        note=note,
        removal=Removal.FILE,
    )
    return [find], ""


def _readable(text: str) -> str:
    """Text from a file made fit for a name: printable characters only, at most 80."""
    return "".join(c for c in text if c.isprintable()).strip()[:80]


def _token_note(expires_at: datetime | None, now: datetime) -> str:
    return "Already expired." if expires_at is not None and expires_at <= now else ""


def _expiry(token: Secret) -> datetime | None:
    try:
        return inspect_token(token.reveal()).expires_at
    except TokenFormatError:
        return None


def _cookie_finds(
    path: Path, logins: Sequence[plaintext.CookieLogin], now: datetime
) -> tuple[list[Find], str]:
    """A find per sign-in whose host TokenDeck may talk to (the outbound rule's check, as the
    Add account form's): the others are said, not offered."""
    from tokendeck.platforms.outbound import url_problem

    finds: list[Find] = []
    problems: list[str] = []
    for login in logins:
        parts = urlsplit(login.gate_url or login.environment)
        host = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        problem = url_problem(host) if host else "it names no host"
        if problem:
            where = _readable(login.environment)
            problems.append(f"the sign-in for {where} is not offered: {problem.rstrip('.')}.")
            continue
        finds.append(_cookie_find(path, login, host, now))
    return finds, " ".join(problems)


def _cookie_find(path: Path, login: plaintext.CookieLogin, host: str, now: datetime) -> Find:
    from tokendeck.platforms.common import jwt_claim

    email = _readable(str(jwt_claim(login.token, "email") or ""))
    who = email or _readable(login.alias) or urlsplit(host).netloc
    expires = _expiry(login.token)
    note = _token_note(expires, now)
    if login.refresh_token is None:
        note = (note + " No refresh token: sign in again when it expires.").strip()
    elif note:
        note += " TokenDeck renews it with its refresh token."
    secrets = {"session": login.token}
    if login.refresh_token is not None:
        secrets["refresh"] = login.refresh_token
    return Find(
        source=path,
        place=f"environment {login.environment}",
        kind=FindKind.DATALOOP_SESSION,
        what=f"Dataloop sign-in of {who}",
        name=f"Dataloop ({who})",
        shown=plaintext.masked(login.token.reveal()),
        secrets=secrets,
        platform=Platform.DATALOOP,
        host=host,
        inputs={"username": email} if email else {},
        expires_at=expires,
        note=note,
        removal=Removal.COOKIE_LOGIN,
        removal_key=login.environment,
    )


def _env_finds(
    path: Path, text: str, variables: Mapping[str, Platform], now: datetime
) -> tuple[list[Find], str]:
    bindings = {b.name: b for b in plaintext.read_env(text)}  # the last of a name counts
    finds: list[Find] = []
    problems: list[str] = []
    for name, binding in bindings.items():
        if not binding.value.strip():
            continue
        place = f"line {binding.line} ({name})"
        if name in ENCORD_KEY_VARIABLES:
            key = plaintext.openssh_private_key(binding.value)
            found, problem = _key_file(path, key, place) if key else ([], "not an OpenSSH key")
            finds.extend(replace(f, removal=Removal.ENV_LINES, removal_key=name) for f in found)
            if problem:
                problems.append(f"{name} on line {binding.line}: {problem}")
        elif name in ENCORD_KEY_FILE_VARIABLES:
            key_path = Path(binding.value).expanduser()
            key_path = key_path if key_path.is_absolute() else path.parent / key_path
            found, problem = _scan_key_path(key_path, name, binding.line)
            finds.extend(found)
            if problem:
                problems.append(problem)
        elif name in ENCORD_LEGACY_KEY_VARIABLES:
            resource = next(
                (bindings[r].value for r in ENCORD_RESOURCE_VARIABLES if r in bindings), ""
            )
            if not resource.strip():
                problems.append(
                    f"{name} on line {binding.line}: a legacy Encord key needs its project or "
                    "dataset id (ENCORD_PROJECT_ID) in the same file: not imported."
                )
                continue
            finds.append(_legacy_find(path, place, binding, resource.strip()))
        elif name in variables:
            finds.append(_token_find(path, place, binding, variables[name], now))
    if not finds and not problems:
        return (
            [],
            "nothing TokenDeck knows in it (a .env file's token variables, the Dataloop SDK's cookie, or an OpenSSH private key).",
        )
    return finds, " ".join(problems)


def _scan_key_path(path: Path, variable: str, line: int) -> tuple[list[Find], str]:
    where = f"{variable} on line {line} names {path}"
    try:
        text = read_text(path)
    except FileNotFoundError:
        return [], f"{where}: no such file."
    except OSError as error:
        return [], f"{where}: {error.strerror or error}"
    key = plaintext.openssh_private_key(text)
    if key is None:
        return [], f"{where}: not an OpenSSH private key."
    found, problem = _key_file(path, key, f"named by {variable}")
    return found, f"{where}: {problem}" if problem else ""


def _legacy_find(path: Path, place: str, binding: plaintext.EnvBinding, resource: str) -> Find:
    return Find(
        source=path,
        place=place,
        kind=FindKind.ENCORD_LEGACY_KEY,
        what=f"Encord legacy API key of {resource}",
        name=f"Encord ({resource[:8]})",
        shown=plaintext.masked(binding.value),
        secrets={"api_key": Secret(binding.value.strip())},
        platform=Platform.ENCORD,
        inputs={"resource_hash": resource},
        removal=Removal.ENV_LINES,
        removal_key=binding.name,
    )


def _token_find(
    path: Path, place: str, binding: plaintext.EnvBinding, platform: Platform, now: datetime
) -> Find:
    token = Secret(binding.value.strip())
    expires = _expiry(token)
    return Find(
        source=path,
        place=place,
        kind=FindKind.TRACKED,
        what=f"{PLATFORM_NAMES[platform]} token in {binding.name}",
        name=f"{binding.name} ({path.name})",
        shown=plaintext.masked(token.reveal()),
        secrets={"token": token},
        platform=platform,
        expires_at=expires,
        note=_token_note(expires, now),
        removal=Removal.ENV_LINES,
        removal_key=binding.name,
    )
