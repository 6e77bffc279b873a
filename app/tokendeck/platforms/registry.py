"""The platforms TokenDeck knows (one spec each: see spec.py), and the adapter of an account with
the HTTP client it gets (one per account: its host, CA bundle, proxy and the outbound rule).

Importing it loads the specs only: the adapters and the HTTP stack (httpx, TLS, PyJWT: about
15 MiB) load with the first adapter made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from tokendeck.core.clock import Clock
from tokendeck.core.models import AccountSettings, Platform
from tokendeck.core.platform_types import Capabilities
from tokendeck.platforms import dataloop, encord, haut, manual, oauth2, trifacta, visual_layer
from tokendeck.platforms.spec import PlatformSpec

if TYPE_CHECKING:
    import httpx

    from tokendeck.platforms.base import PlatformAdapter

# Every platform TokenDeck knows, in the order the add-account form lists them.
SPECS: tuple[PlatformSpec, ...] = (
    dataloop.SPEC,
    haut.SPEC,
    encord.SPEC,
    visual_layer.SPEC,
    trifacta.SPEC,
    oauth2.SPEC,
    manual.SPEC,
)
BY_PLATFORM: Mapping[Platform, PlatformSpec] = {spec.platform: spec for spec in SPECS}
CAPABILITIES: Mapping[Platform, Capabilities] = {s.platform: s.capabilities for s in SPECS}


def allowed_origins(settings: AccountSettings) -> list[str]:
    """Origins the user confirmed for this account besides its host (account settings or the
    form's "Other trusted sites" input, space- or comma-separated)."""
    typed = settings.inputs.get("allowed_origins", "")
    words = typed.replace(",", " ").split()
    return [o for o in (*settings.allowed_origins, *words) if o.strip()]


def make_adapter(
    platform: Platform,
    host: str,
    settings: AccountSettings,
    clock: Clock,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PlatformAdapter:
    from tokendeck.platforms.http import make_client

    def client() -> httpx.AsyncClient:
        return make_client(
            host,
            ca_bundle=settings.ca_bundle or None,
            proxy=settings.proxy or None,
            transport=transport,
            allowed_origins=allowed_origins(settings),
        )

    spec = BY_PLATFORM.get(platform)
    if spec is None:
        raise ValueError(f"No adapter for {platform.value} yet.")
    return spec.make_adapter(clock, client)
