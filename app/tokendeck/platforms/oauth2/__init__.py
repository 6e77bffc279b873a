"""OAuth 2.0 / OIDC: what it can do, the form to add an account, and its `SPEC` (this package is the
platform's plug-in). The adapter that talks to it (`adapter.py`) is imported when an account
first needs one, and the HTTP stack with it: the window, the tables and the tray never do."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tokendeck.core.clock import Clock
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import Capabilities, Field
from tokendeck.platforms.spec import PlatformSpec

if TYPE_CHECKING:
    import httpx

    from tokendeck.platforms.base import PlatformAdapter

CAPABILITIES = Capabilities(
    sign_in_methods=("client_credentials",),
    fields=(
        Field("client_id", "Client ID"),
        Field("client_secret", "Client secret", secret=True),
        Field("scope", "Scope", required=False),
        Field(
            "token_endpoint",
            "Token endpoint",
            required=False,
            help="Leave empty to use OIDC discovery",
        ),
        Field(
            "allowed_origins",
            "Other trusted sites",
            required=False,
            help="Sites besides the host that may receive the client secret, e.g. "
            "https://oauth2.example (space-separated); only if discovery points there",
        ),
    ),
    default_host="https://issuer.example",
    refresh=True,
    probe=True,
    notes="The host is the issuer URL; the token endpoint comes from its discovery document.",
)


def _adapter(clock: Clock, client: Callable[[], httpx.AsyncClient]) -> PlatformAdapter:
    from tokendeck.platforms.oauth2.adapter import OAuth2Adapter

    return OAuth2Adapter(client(), clock)


# `tokendeck exec`'s variable for the access token (a generic issuer has no SDK of its own).
EXEC_ENV = "ACCESS_TOKEN"

SPEC = PlatformSpec(Platform.OAUTH2, CAPABILITIES, _adapter, exec_env=EXEC_ENV)
