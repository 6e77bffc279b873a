"""What the add-account form needs per platform, and its validation (messages per field)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from tokendeck.core.errors import (
    NetworkError,
    NotFoundError,
    OutboundRefusedError,
    PlatformError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    TokenDeckError,
)
from tokendeck.core.models import PLATFORM_NAMES, AccountSettings, Platform
from tokendeck.platforms.base import Capabilities, ExpiryChoice, Field
from tokendeck.platforms.outbound import url_problem
from tokendeck.platforms.registry import CAPABILITIES, allowed_origins
from tokendeck.platforms.visual_layer import ON_PREM

__all__ = [
    "Capabilities",
    "ExpiryChoice",
    "Field",
    "capabilities",
    "credentials_refused",
    "field_for_error",
    "needs_secret",
    "platforms",
    "secret_fields",
    "sign_in_hint",
    "signs_in_remotely",
    "validate",
]


def platforms() -> list[tuple[Platform, str]]:
    return [(p, PLATFORM_NAMES[p]) for p in CAPABILITIES]


def capabilities(platform: Platform) -> Capabilities:
    return CAPABILITIES[platform]


def secret_fields(platform: Platform) -> tuple[Field, ...]:
    return tuple(f for f in CAPABILITIES[platform].fields if f.secret)


# Platforms where either of two ways of signing in is enough: said on the form, above the fields.
SIGN_IN_HINTS: Mapping[Platform, str] = {
    Platform.DATALOOP: "Give e-mail + password, or an API key (one is enough).",
    Platform.TRIFACTA: "Give username + password, or an access token (one is enough).",
    Platform.ENCORD: "Give the Ed25519 private key, or a legacy API key + its project / dataset "
    "hash (one is enough).",
}

# The secret each platform signs in with first when several are given (as its adapter does).
_SECRET_PREFERENCE: Mapping[Platform, tuple[str, ...]] = {
    Platform.DATALOOP: ("api_key", "password"),
    Platform.TRIFACTA: ("access_token", "password"),
    Platform.ENCORD: ("private_key", "passphrase", "api_key"),
}


def sign_in_hint(platform: Platform) -> str:
    return SIGN_IN_HINTS.get(platform, "")


def signs_in_remotely(platform: Platform) -> bool:
    """Whether saving can first check the values with the platform (a pasted token cannot)."""
    return platform is not Platform.MANUAL and bool(CAPABILITIES[platform].sign_in_methods)


def needs_secret(platform: Platform, inputs: Mapping[str, str]) -> bool:
    """Whether signing in takes a secret at all (Visual Layer on-prem takes none)."""
    if platform is Platform.VISUAL_LAYER and inputs.get("mode") == ON_PREM:
        return False
    return bool(secret_fields(platform))


def _used_secret(platform: Platform, given: Collection[str]) -> str | None:
    names = [f.name for f in secret_fields(platform)]
    order = [n for n in _SECRET_PREFERENCE.get(platform, ()) if n in names]
    order += [n for n in names if n not in order]
    return next((n for n in order if n in given), order[0] if order else None)


# Failures that are about the host (it did not answer as the platform would), and about the
# platform itself (its own trouble); any other refusal is about the credentials.
_HOST_ERRORS = (NetworkError, OutboundRefusedError, NotFoundError, ProtocolError)
_PLATFORM_TROUBLE = (ServerError, RateLimitedError)


def field_for_error(
    platform: Platform, error: TokenDeckError, given: Collection[str]
) -> str | None:
    """The form field a failed sign-in is about: "host" when the host did not answer as the
    platform would (no answer, not found, an unreadable answer, a request or redirect the
    outbound rule refuses), the
    secret that was used when the credentials were refused, None when it is about neither
    (5xx, 429). `given` names the secrets that were used."""
    if isinstance(error, _HOST_ERRORS):
        return "host" if platform is not Platform.MANUAL else None
    if credentials_refused(error):
        return _used_secret(platform, given)
    return None


def credentials_refused(error: TokenDeckError) -> bool:
    """Whether a sign-in failed on the credentials themselves (asking for them again helps)."""
    return isinstance(error, PlatformError) and not isinstance(
        error, (*_HOST_ERRORS, *_PLATFORM_TROUBLE)
    )


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
        elif (problem := url_problem(host.strip())) is not None:
            problems["host"] = problem  # the outbound rule's own words: the form cannot differ
    for origin in allowed_origins(AccountSettings(inputs=dict(inputs))):
        if (problem := url_problem(origin)) is not None:
            problems["allowed_origins"] = f"{origin}: {problem}"
            break

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
