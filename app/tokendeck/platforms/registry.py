"""Which adapter serves which platform, and the per-account HTTP client it gets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from tokendeck.core.clock import Clock
from tokendeck.core.models import Platform
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


def allowed_origins(settings: Mapping[str, Any]) -> list[str]:
    """Origins the user confirmed for this account besides its host (account settings or the
    form's "Other trusted sites" input, space- or comma-separated)."""
    inputs = settings.get("inputs")
    typed = inputs.get("allowed_origins", "") if isinstance(inputs, Mapping) else ""
    listed = settings.get("allowed_origins") or []
    words = str(typed).replace(",", " ").split()
    return [str(o) for o in (*listed, *words) if str(o).strip()]


def make_adapter(
    platform: Platform,
    host: str,
    settings: Mapping[str, Any],
    clock: Clock,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PlatformAdapter:
    if platform is Platform.MANUAL:
        return manual.ManualAdapter(clock)
    client = make_client(
        host,
        ca_bundle=str(settings.get("ca_bundle") or "") or None,
        proxy=str(settings.get("proxy") or "") or None,
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
