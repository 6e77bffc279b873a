"""Dataloop: what it can do, the form to add an account, and its `SPEC` (this package is the
platform's plug-in). The adapter that talks to it (`adapter.py`) is imported when an account
first needs one, and the HTTP stack with it: the window, the tables and the tray never do."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tokendeck.core.clock import Clock
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import Capabilities, Field
from tokendeck.platforms.spec import PlaintextSpec, PlatformSpec, secret_or_login

if TYPE_CHECKING:
    import httpx

    from tokendeck.platforms.base import PlatformAdapter

MAX_KEYS = 10
KEY_LIFETIME = timedelta(days=365)

CAPABILITIES = Capabilities(
    sign_in_methods=("password", "api_key"),
    fields=(
        Field(
            "username", "E-mail", required=False, help="Your Dataloop login or a bot user's e-mail"
        ),
        Field("password", "Password", secret=True, required=False),
        Field(
            "api_key",
            "API key",
            secret=True,
            required=False,
            help="Instead of a password: an existing API key",
        ),
    ),
    default_host="https://gate.dataloop.ai",
    refresh=True,
    list_keys=True,
    create_keys=True,
    revoke_keys=True,
    max_keys=MAX_KEYS,
    key_lifetime_fixed=KEY_LIFETIME,
    notes="API keys last 1 year; at most 10 per user and 10 per project.",
)


def _adapter(clock: Clock, client: Callable[[], httpx.AsyncClient]) -> PlatformAdapter:
    from tokendeck.platforms.dataloop.adapter import DataloopAdapter

    return DataloopAdapter(client(), clock)


# `tokendeck exec`'s variable for the token. Chosen: dtlpy reads no token from the environment
# (a script passes it to dl.login_token(os.environ["DATALOOP_TOKEN"])).
EXEC_ENV = "DATALOOP_TOKEN"


def _cookie(home: Path, environ: Mapping[str, str]) -> Path:
    """Where dtlpy keeps its cookie.json: $DATALOOP_PATH, else ~/.dataloop
    (dtlpy/services/service_defaults.py)."""
    folder = environ.get("DATALOOP_PATH")
    return (Path(folder) if folder else home / ".dataloop") / "cookie.json"


SPEC = PlatformSpec(
    Platform.DATALOOP,
    CAPABILITIES,
    _adapter,
    sign_in_hint="Give e-mail + password, or an API key (one is enough).",
    secret_preference=("api_key", "password"),
    check_form=secret_or_login("api_key", "Give the e-mail and password, or an API key."),
    exec_env=EXEC_ENV,
    plaintext=PlaintextSpec(sdk_cookie=_cookie),
)
