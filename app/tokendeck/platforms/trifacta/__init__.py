"""Trifacta / Alteryx / Dataprep: what it can do, the form to add an account, and its `SPEC` (this package is the
platform's plug-in). The adapter that talks to it (`adapter.py`) is imported when an account
first needs one, and the HTTP stack with it: the window, the tables and the tray never do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from tokendeck.core.clock import Clock
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import Capabilities, ExpiryChoice, Field
from tokendeck.platforms.spec import PlatformSpec, secret_or_login

if TYPE_CHECKING:
    import httpx

    from tokendeck.platforms.base import PlatformAdapter

CAPABILITIES = Capabilities(
    sign_in_methods=("password", "token"),
    fields=(
        Field("username", "Username", required=False),
        Field(
            "password",
            "Password",
            secret=True,
            required=False,
            help="Used once to create a 30-day session token",
        ),
        Field(
            "access_token",
            "Access token",
            secret=True,
            required=False,
            help="Dataprep: paste a token from the web UI",
        ),
    ),
    default_host="https://example.cloud.trifacta.com",
    list_keys=True,
    create_keys=True,
    revoke_keys=True,
    expiry_choices=(
        ExpiryChoice("1 day", timedelta(days=1)),
        ExpiryChoice("7 days", timedelta(days=7)),
        ExpiryChoice("30 days", timedelta(days=30)),
        ExpiryChoice("90 days", timedelta(days=90)),
        ExpiryChoice("1 year", timedelta(days=365)),
        ExpiryChoice("Never (if the workspace allows)", None),
    ),
    notes="Tokens cannot be changed or extended; anyone holding one acts as you.",
)


def _adapter(clock: Clock, client: Callable[[], httpx.AsyncClient]) -> PlatformAdapter:
    from tokendeck.platforms.trifacta.adapter import TrifactaAdapter

    return TrifactaAdapter(client(), clock)


# `tokendeck exec`'s variable for the access token. Chosen: no official SDK reads one.
EXEC_ENV = "TRIFACTA_TOKEN"

SPEC = PlatformSpec(
    Platform.TRIFACTA,
    CAPABILITIES,
    _adapter,
    sign_in_hint="Give username + password, or an access token (one is enough).",
    secret_preference=("access_token", "password"),
    check_form=secret_or_login(
        "access_token", "Give the username and password, or paste an access token."
    ),
    exec_env=EXEC_ENV,
)
