"""What credentials lie in plaintext in given files, and what each would become in TokenDeck.

A file is read for what it is, whatever its name, by what the platforms' plug-ins say of their
tools (`PlatformSpec.plaintext`):
- an OpenSSH private key: an account of the platform signing in with keys (Encord; Ed25519 only);
- an SDK's cookie (the Dataloop SDK's `~/.dataloop/cookie.json`, or `$DATALOOP_PATH`): each
  environment holding a token becomes an account holding that session, renewed with its
  refresh token;
- a `.env` file: the variables TokenDeck knows, i.e. each platform's `tokendeck exec` variable
  (`DATALOOP_TOKEN`…, each a token to track) and the ones an account was given, and the ones a
  plug-in names (Encord's `ENCORD_SSH_KEY`, `ENCORD_SSH_KEY_FILE`, `ENCORD_API_KEY` with its
  project or dataset id). Anything else in it is left alone.

Reading is all this does (the import service writes); it runs off the UI thread. A file larger
than `MAX_FILE_BYTES` is not read. Nothing here puts a secret in a message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from tokendeck.core import plaintext
from tokendeck.core.models import PLATFORM_NAMES, Platform
from tokendeck.core.secret import Secret
from tokendeck.platforms.registry import BY_PLATFORM
from tokendeck.platforms.spec import PlaintextSpec
from tokendeck.services.plaintext_model import Find, FindKind, Removal, Scanned
from tokendeck.services.plaintext_reading import (
    expiry,
    key_file_finds,
    read_text,
    readable,
    token_note,
)

# `tokendeck exec`'s names for pasted and OAuth 2.0 tokens: too common to be TokenDeck's in any
# .env (another app's bot token): read only when an account was given one of them.
GENERIC_VARIABLES = frozenset({"TOKEN", "ACCESS_TOKEN"})


def _platform_with(has: Callable[[PlaintextSpec], object]) -> Platform | None:
    """The platform whose plaintext spec has it (the first)."""
    return next((p for p, spec in BY_PLATFORM.items() if has(spec.plaintext)), None)


def _variables(of: Callable[[PlaintextSpec], tuple[str, ...]]) -> dict[str, Platform]:
    """Variable name -> the platform whose plaintext spec names it so."""
    return {name: p for p, spec in BY_PLATFORM.items() for name in of(spec.plaintext)}


def token_variables(extra: Mapping[str, Platform] | None = None) -> dict[str, Platform]:
    """The variables holding a token TokenDeck knows: each platform's `tokendeck exec` variable,
    plus the ones given to accounts (`extra`)."""
    known = {
        spec.exec_env: platform
        for platform, spec in BY_PLATFORM.items()
        if spec.exec_env not in GENERIC_VARIABLES
    }
    return {**known, **(extra or {})}


def usual_places(home: Path, cwd: Path, environ: Mapping[str, str]) -> list[Path]:
    """Where plaintext credentials usually lie and that exist here: the SDKs' cookies (the
    Dataloop SDK's), and a `.env` in the current directory and in the home directory."""
    cookies = [
        spec.plaintext.sdk_cookie(home, environ)
        for spec in BY_PLATFORM.values()
        if spec.plaintext.sdk_cookie is not None
    ]
    places = [*cookies, cwd / ".env", home / ".env"]
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
    signs_in_with_keys = _platform_with(lambda p: p.ssh_key_files)
    if key is not None and signs_in_with_keys is not None:
        found, problem = key_file_finds(path, key, "the whole file", signs_in_with_keys)
        if text.strip() != key.reveal().strip():  # another key, notes: the file stays
            note = "The file holds more than this key: it stays where it is."
            found = [
                replace(f, removal=Removal.KEEP, note=f"{f.note} {note}".strip()) for f in found
            ]
        return found, problem
    with_cookie = _platform_with(lambda p: p.sdk_cookie)
    if text.lstrip()[:1] in ("{", "[") and with_cookie is not None:  # JSON
        sdk = f"the {PLATFORM_NAMES[with_cookie]} SDK's cookie"
        try:
            logins = plaintext.cookie_logins(text)
        except plaintext.NotThisKindError as error:
            return [], f"JSON, but not {sdk} ({error})"
        if not logins:
            return [], f"{sdk}, with no sign-in in it."
        return _cookie_finds(path, logins, with_cookie, now)
    return _env_finds(path, text, variables, now)


def _cookie_finds(
    path: Path, logins: Sequence[plaintext.CookieLogin], platform: Platform, now: datetime
) -> tuple[list[Find], str]:
    """A find per sign-in whose host TokenDeck may talk to (the outbound rule's check, as the
    Add account form's): the others are said, not offered."""
    from tokendeck.platforms.outbound import origin_of, url_problem

    finds: list[Find] = []
    problems: list[str] = []
    for login in logins:
        host = _origin(login.environment)
        problem = url_problem(host) if host else "it names no host"
        if not problem and login.gate_url and origin_of(login.gate_url) != origin_of(host):
            # dtlpy calls the API at the environment and renews at gate_url; TokenDeck has one
            # host for both: a token must not go to a host the cookie did not send it to.
            problem = "its gate_url and its API are on different hosts"
        if problem:
            where = readable(login.environment)
            problems.append(f"the sign-in for {where} is not offered: {problem.rstrip('.')}.")
            continue
        finds.append(_cookie_find(path, login, host, platform, now))
    return finds, " ".join(problems)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _cookie_find(
    path: Path, login: plaintext.CookieLogin, host: str, platform: Platform, now: datetime
) -> Find:
    from tokendeck.platforms.common import jwt_claim

    email = readable(str(jwt_claim(login.token, "email") or ""))
    who = email or readable(login.alias) or urlsplit(host).netloc
    expires = expiry(login.token)
    note = token_note(expires, now)
    if login.refresh_token is None:
        note = (note + " No refresh token: sign in again when it expires.").strip()
    elif note:
        note += " TokenDeck renews it with its refresh token."
    secrets = {"session": login.token}
    if login.refresh_token is not None:
        secrets["refresh"] = login.refresh_token
    return Find(
        source=path,
        place=f"environment {readable(login.environment)}",
        kind=FindKind.SDK_SESSION,
        what=f"{PLATFORM_NAMES[platform]} sign-in of {who}",
        name=f"{PLATFORM_NAMES[platform]} ({who})",
        shown=plaintext.masked(login.token.reveal()),
        secrets=secrets,
        platform=platform,
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
    if plaintext.has_lone_carriage_returns(text):
        return [], "its lines end with a lone carriage return (an old Mac file): not read."
    every = plaintext.read_env(text)
    bindings = {b.name: b for b in every}  # the last of a name counts
    values: dict[str, set[str]] = {}
    for b in every:
        values.setdefault(b.name, set()).add(b.value)
    key_variables = _variables(lambda p: p.key_variables)
    key_file_variables = _variables(lambda p: p.key_file_variables)
    legacy_variables = _variables(lambda p: p.legacy_key_variables)
    finds: list[Find] = []
    problems: list[str] = []
    for name, binding in bindings.items():
        if not binding.value.strip():
            continue
        if "${" in binding.value:
            problems.append(
                f"{name} on line {binding.line} refers to another variable (${{…}}): not read."
            )
            continue
        place = f"line {binding.line} ({name})"
        if name in key_variables:
            key = plaintext.openssh_private_key(binding.value)
            found, problem = (
                key_file_finds(path, key, place, key_variables[name])
                if key
                else ([], "not an OpenSSH key")
            )
            finds.extend(replace(f, removal=Removal.ENV_LINES, removal_key=name) for f in found)
            if problem:
                problems.append(f"{name} on line {binding.line}: {problem}")
        elif name in key_file_variables:
            key_path = Path(binding.value).expanduser()
            key_path = key_path if key_path.is_absolute() else path.parent / key_path
            found, problem = _scan_key_path(key_path, name, binding.line, key_file_variables[name])
            finds.extend(found)
            if problem:
                problems.append(problem)
        elif name in legacy_variables:
            platform = legacy_variables[name]
            wanted = BY_PLATFORM[platform].plaintext.resource_variables
            resource = next((bindings[r].value for r in wanted if r in bindings), "")
            if not resource.strip():
                problems.append(
                    f"{name} on line {binding.line}: a legacy {PLATFORM_NAMES[platform]} key "
                    f"needs its project or dataset id ({wanted[0]}) in the same file: not "
                    "imported."
                )
                continue
            finds.append(_legacy_find(path, place, binding, resource.strip(), platform))
        elif name in variables:
            finds.append(_token_find(path, place, binding, variables[name], now))
    twice = "Set more than once in the file, to different values: its lines stay."
    finds = [
        replace(f, removal=Removal.KEEP, note=f"{f.note} {twice}".strip())
        if f.source == path and f.removal is Removal.ENV_LINES and len(values[f.removal_key]) > 1
        else f
        for f in finds
    ]
    if not finds and not problems:
        return (
            [],
            "nothing TokenDeck knows in it (a .env file's token variables, an SDK's cookie, "
            "or an OpenSSH private key).",
        )
    return finds, " ".join(problems)


def _scan_key_path(
    path: Path, variable: str, line: int, platform: Platform
) -> tuple[list[Find], str]:
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
    found, problem = key_file_finds(path, key, f"named by {variable}", platform)
    note = f"Named by {variable}: the key file stays (other tools may use it)."
    found = [replace(f, removal=Removal.KEEP, note=f"{f.note} {note}".strip()) for f in found]
    return found, f"{where}: {problem}" if problem else ""


def _legacy_find(
    path: Path, place: str, binding: plaintext.EnvBinding, resource: str, platform: Platform
) -> Find:
    resource = readable(resource)
    return Find(
        source=path,
        place=place,
        kind=FindKind.LEGACY_KEY,
        what=f"{PLATFORM_NAMES[platform]} legacy API key of {resource}",
        name=f"{PLATFORM_NAMES[platform]} ({resource[:8]})",
        shown=plaintext.masked(binding.value),
        secrets={"api_key": Secret(binding.value.strip())},
        platform=platform,
        inputs={"resource_hash": resource},
        removal=Removal.ENV_LINES,
        removal_key=binding.name,
    )


def _token_find(
    path: Path, place: str, binding: plaintext.EnvBinding, platform: Platform, now: datetime
) -> Find:
    token = Secret(binding.value.strip())
    expires = expiry(token)
    return Find(
        source=path,
        place=place,
        kind=FindKind.TRACKED,
        what=f"{PLATFORM_NAMES[platform]} token in {binding.name}",
        name=f"{binding.name} ({readable(path.name)})",
        shown=plaintext.masked(token.reveal()),
        secrets={"token": token},
        platform=platform,
        expires_at=expires,
        note=token_note(expires, now),
        removal=Removal.ENV_LINES,
        removal_key=binding.name,
    )
