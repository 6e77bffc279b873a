"""What the add-account form needs per platform, and its validation (messages per field)."""

from __future__ import annotations

from collections.abc import Mapping

from tokendeck.core.models import PLATFORM_NAMES, Platform
from tokendeck.platforms.base import Capabilities, ExpiryChoice, Field
from tokendeck.platforms.registry import CAPABILITIES
from tokendeck.platforms.visual_layer import ON_PREM

__all__ = ["Capabilities", "ExpiryChoice", "Field", "capabilities", "platforms", "validate"]

LOCAL_HOSTS = ("http://127.0.0.1", "http://localhost", "http://[::1]")


def platforms() -> list[tuple[Platform, str]]:
    return [(p, PLATFORM_NAMES[p]) for p in CAPABILITIES]


def capabilities(platform: Platform) -> Capabilities:
    return CAPABILITIES[platform]


def validate(
    platform: Platform,
    name: str,
    host: str,
    inputs: Mapping[str, str],
    secrets: Mapping[str, bool],
    *,
    editing: bool = False,
) -> dict[str, str]:
    """Field name -> message; empty when the form can be saved. `secrets` says which are filled
    (when editing, an empty secret keeps the stored one)."""
    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = "Give the account a name."
    caps = CAPABILITIES[platform]
    if platform is not Platform.MANUAL:
        if not host.strip():
            problems["host"] = "Give the host, e.g. " + caps.default_host
        elif not (host.startswith("https://") or host.startswith(LOCAL_HOSTS)):
            problems["host"] = "Use https:// (plain http only for this machine)."

    def has(field: str) -> bool:
        return bool(inputs.get(field, "").strip()) or secrets.get(field, False) or editing

    if platform is Platform.DATALOOP and not (
        has("api_key") or (inputs.get("username") and has("password"))
    ):
        problems["password"] = "Give the e-mail and password, or an API key."
    elif platform is Platform.TRIFACTA and not (
        has("access_token") or (inputs.get("username") and has("password"))
    ):
        problems["password"] = "Give the username and password, or paste an access token."
    elif platform is Platform.ENCORD and not (
        has("private_key") or (has("api_key") and inputs.get("resource_hash"))
    ):
        problems["private_key"] = (
            "Give the Ed25519 private key, or a legacy API key with its project / dataset hash."
        )
    elif platform is Platform.VISUAL_LAYER and inputs.get("mode") != ON_PREM:
        if not inputs.get("api_key", "").strip():
            problems["api_key"] = "Give the API key."
        if not has("api_secret"):
            problems["api_secret"] = "Give the API secret."
    else:
        for field in caps.fields:
            if field.required and not has(field.name):
                problems[field.name] = f"{field.label} is required."
    return problems
