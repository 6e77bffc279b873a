"""One platform, as a plug-in: everything TokenDeck knows of it comes from its module's `SPEC`.

A spec says what the platform can do and the form to add an account (`capabilities`), how the
form's values are checked beyond its required fields (`check_form`), which secret signing in uses
first when several are given, and how to make the account's adapter. The registry is the list of
specs (registry.py); adding a platform is one new module with its `SPEC`, its line there, and its
value in `core.models.Platform` (the catalog stores that value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tokendeck.core.clock import Clock
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import Capabilities
from tokendeck.core.secret import Secret

if TYPE_CHECKING:
    from pathlib import Path

    import httpx

    from tokendeck.platforms.base import PlatformAdapter

# Whether a form field is filled (a secret: entered, or held already when editing).
Filled = Callable[[str], bool]
# The form's non-secret inputs and `Filled` -> field name: message (empty when fine).
FormCheck = Callable[[Mapping[str, str], Filled], dict[str, str]]
# The account's clock, and its HTTP client (made on first call: a pasted token needs none).
AdapterMaker = Callable[[Clock, Callable[[], "httpx.AsyncClient"]], "PlatformAdapter"]
# The account's non-secret inputs and its stored secret inputs -> the environment variables
# (name: value) the platform's own SDK reads them from, for `tokendeck exec`.
ExecExtras = Callable[[Mapping[str, str], Mapping[str, Secret]], dict[str, Secret]]


# The user's home directory and environment -> where the platform's SDK keeps its cookie.
CookiePath = Callable[["Path", Mapping[str, str]], "Path"]


@dataclass(frozen=True, slots=True)
class PlaintextSpec:
    """Where the platform's own tools and habits leave its credentials in plaintext, for
    File > Import (services/plaintext_finds.py reads them)."""

    # The SDK's cookie.json, in the Dataloop SDK's format (core.plaintext.cookie_logins): each
    # sign-in in it becomes an account holding that session.
    sdk_cookie: CookiePath | None = None
    # An OpenSSH private key file (Ed25519) is a sign-in key of this platform's accounts.
    ssh_key_files: bool = False
    # .env variables holding such a key, or naming its file.
    key_variables: tuple[str, ...] = ()
    key_file_variables: tuple[str, ...] = ()
    # .env variables holding a legacy API key, and the resource it is for (one is needed).
    legacy_key_variables: tuple[str, ...] = ()
    resource_variables: tuple[str, ...] = ()


def secret_or_login(secret: str, message: str) -> FormCheck:
    """A form filled with `secret` alone, or with a username and its password (the message
    shows by the password)."""

    def check(inputs: Mapping[str, str], filled: Filled) -> dict[str, str]:
        if filled(secret) or (inputs.get("username") and filled("password")):
            return {}
        return {"password": message}

    return check


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    platform: Platform
    capabilities: Capabilities
    make_adapter: AdapterMaker
    # Said on the form above the fields where either of two ways of signing in is enough.
    sign_in_hint: str = ""
    # The secret the adapter signs in with first when several are given.
    secret_preference: tuple[str, ...] = ()
    # None: every required field must be filled.
    check_form: FormCheck | None = None
    # Whether signing in takes a secret with these inputs (None: when the form has one).
    needs_secret: Callable[[Mapping[str, str]], bool] | None = None
    # False for a pasted token: no host, nothing to sign in to.
    remote: bool = True
    # `tokendeck exec`: the variable the token goes in unless the account names another, and
    # what else the platform's SDK reads from the environment (e.g. Encord's SSH key).
    exec_env: str = "TOKEN"
    exec_extras: ExecExtras | None = None
    # Variables the SDK would read instead of those `exec_extras` sets: removed for the command.
    exec_clears: tuple[str, ...] = ()
    # What of it File > Import finds in plaintext files.
    plaintext: PlaintextSpec = PlaintextSpec()

    def form_problems(self, inputs: Mapping[str, str], filled: Filled) -> dict[str, str]:
        if self.check_form is not None:
            return self.check_form(inputs, filled)
        return {
            f.name: f"{f.label} is required."
            for f in self.capabilities.fields
            if f.required and not filled(f.name)
        }

    def takes_secret(self, inputs: Mapping[str, str]) -> bool:
        if self.needs_secret is not None:
            return self.needs_secret(inputs)
        return any(f.secret for f in self.capabilities.fields)
