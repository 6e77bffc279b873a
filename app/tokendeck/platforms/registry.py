"""Which adapter serves which platform, and the per-account HTTP client it gets."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from tokendeck.core.clock import Clock
from tokendeck.core.models import AccountSettings, Platform
from tokendeck.platforms import dataloop, encord, haut, manual, oauth2, trifacta, visual_layer
from tokendeck.platforms.base import Capabilities, PlatformAdapter
from tokendeck.platforms.http import make_client

CAPABILITIES: Mapping[Platform, Capabilities] = {
    Platform.DATALOOP: dataloop.CAPABILITIES,
    Platform.HAUT: haut.CAPABILITIES,
    Platform.ENCORD: encord.CAPABILITIES,
    Platform.VISUAL_LAYER: visual_layer.CAPABILITIES,
    Platform.TRIFACTA: trifacta.CAPABILITIES,
    Platform.OAUTH2: oauth2.CAPABILITIES,
    Platform.MANUAL: manual.CAPABILITIES,
}


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
    if platform is Platform.MANUAL:
        return manual.ManualAdapter(clock)
    client = make_client(
        host,
        ca_bundle=settings.ca_bundle or None,
        proxy=settings.proxy or None,
        transport=transport,
        allowed_origins=allowed_origins(settings),
    )
    if platform is Platform.DATALOOP:
        return dataloop.DataloopAdapter(client, clock)
    if platform is Platform.HAUT:
        return haut.HautAdapter(client, clock)
    if platform is Platform.ENCORD:
        return encord.EncordAdapter(client, clock)
    if platform is Platform.VISUAL_LAYER:
        return visual_layer.VisualLayerAdapter(client, clock)
    if platform is Platform.TRIFACTA:
        return trifacta.TrifactaAdapter(client, clock)
    if platform is Platform.OAUTH2:
        return oauth2.OAuth2Adapter(client, clock)
    raise ValueError(f"No adapter for {platform.value} yet.")
