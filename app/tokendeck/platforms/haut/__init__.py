"""Haut.AI: what it can do, the form to add an account, and its `SPEC` (this package is the
platform's plug-in). The adapter that talks to it (`adapter.py`) is imported when an account
first needs one, and the HTTP stack with it: the window, the tables and the tray never do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from tokendeck.core.clock import Clock
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import Capabilities, ExpiryChoice, Field
from tokendeck.platforms.spec import PlatformSpec

if TYPE_CHECKING:
    import httpx

    from tokendeck.platforms.base import PlatformAdapter

CAPABILITIES = Capabilities(
    sign_in_methods=("password",),
    fields=(
        Field("username", "E-mail"),
        Field("password", "Password", secret=True),
    ),
    default_host="https://saas.haut.ai",
    refresh=True,
    list_keys=True,
    create_keys=True,
    revoke_keys=True,
    expiry_choices=(
        ExpiryChoice("1 day", timedelta(days=1)),
        ExpiryChoice("7 days", timedelta(days=7)),
        ExpiryChoice("30 days", timedelta(days=30)),
        ExpiryChoice("90 days", timedelta(days=90)),
        ExpiryChoice("1 year", timedelta(days=365)),
    ),
    notes="Private tokens: the expiry is set at creation and cannot be changed. Rotate regularly.",
)


def _adapter(clock: Clock, client: Callable[[], httpx.AsyncClient]) -> PlatformAdapter:
    from tokendeck.platforms.haut.adapter import HautAdapter

    return HautAdapter(client(), clock)


# `tokendeck exec`'s variable for the token. Chosen: Haut.AI publishes no SDK that reads one.
EXEC_ENV = "HAUT_AI_TOKEN"

SPEC = PlatformSpec(Platform.HAUT, CAPABILITIES, _adapter, exec_env=EXEC_ENV)
