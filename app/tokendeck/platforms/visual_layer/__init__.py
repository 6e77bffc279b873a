"""Visual Layer: what it can do, the form to add an account, and its `SPEC` (this package is the
platform's plug-in). The adapter that talks to it (`adapter.py`) is imported when an account
first needs one, and the HTTP stack with it: the window, the tables and the tray never do."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from tokendeck.core.clock import Clock
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import Capabilities, Field
from tokendeck.platforms.spec import Filled, PlatformSpec

if TYPE_CHECKING:
    import httpx

    from tokendeck.platforms.base import PlatformAdapter

ON_PREM = "on-prem (no authentication)"

CAPABILITIES = Capabilities(
    sign_in_methods=("key_secret", "none"),
    fields=(
        Field("mode", "Mode", choices=("cloud", ON_PREM), default="cloud"),
        Field("api_key", "API key", required=False),
        Field(
            "api_secret",
            "API secret",
            secret=True,
            required=False,
            help="Shown once by Visual Layer",
        ),
    ),
    default_host="https://app.visual-layer.com",
    refresh=True,
    notes="TokenDeck mints a 10-minute JWT from the key and secret, and re-mints it before expiry.",
)


def _check_form(inputs: Mapping[str, str], filled: Filled) -> dict[str, str]:
    if inputs.get("mode") == ON_PREM:
        return {}
    problems = {}
    if not inputs.get("api_key", "").strip():
        problems["api_key"] = "Give the API key."
    if not filled("api_secret"):
        problems["api_secret"] = "Give the API secret."  # noqa: S105 (a message)
    return problems


def _adapter(clock: Clock, client: Callable[[], httpx.AsyncClient]) -> PlatformAdapter:
    from tokendeck.platforms.visual_layer.adapter import VisualLayerAdapter

    return VisualLayerAdapter(client(), clock)


# `tokendeck exec`'s variable for the minted JWT. Chosen: no official SDK reads one.
EXEC_ENV = "VISUAL_LAYER_TOKEN"

SPEC = PlatformSpec(
    Platform.VISUAL_LAYER,
    CAPABILITIES,
    _adapter,
    check_form=_check_form,
    needs_secret=lambda inputs: inputs.get("mode") != ON_PREM,
    exec_env=EXEC_ENV,
)
