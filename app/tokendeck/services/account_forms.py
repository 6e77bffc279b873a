"""What the add-account form needs per platform, and its validation (messages per field)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from tokendeck.core.errors import (
    CertificateError,
    NetworkError,
    NotFoundError,
    OutboundRefusedError,
    PlatformError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    TokenDeckError,
)
from tokendeck.core.models import (
    PLATFORM_NAMES,
    AccountSettings,
    Platform,
    env_name_problem,
)
from tokendeck.core.platform_types import Capabilities, ExpiryChoice, Field
from tokendeck.platforms.registry import BY_PLATFORM, CAPABILITIES, allowed_origins

__all__ = [
    "Capabilities",
    "ExpiryChoice",
    "Field",
    "capabilities",
    "credentials_refused",
    "field_for_error",
    "has_host",
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


def sign_in_hint(platform: Platform) -> str:
    return BY_PLATFORM[platform].sign_in_hint


def signs_in_remotely(platform: Platform) -> bool:
    """Whether saving can first check the values with the platform (a pasted token cannot)."""
    return BY_PLATFORM[platform].remote and bool(CAPABILITIES[platform].sign_in_methods)


def has_host(platform: Platform) -> bool:
    """Whether the account has a host (a pasted token has none)."""
    return BY_PLATFORM[platform].remote


def exec_env_default(platform: Platform) -> str:
    """The variable `tokendeck exec` puts the token in when the account names none."""
    return BY_PLATFORM[platform].exec_env


def exec_env_problem(name: str) -> str | None:
    """Why the Script variable cannot be kept, or None (empty: the platform's)."""
    problem = env_name_problem(name) if name else None
    return problem[0].upper() + problem[1:] if problem else None


def needs_secret(platform: Platform, inputs: Mapping[str, str]) -> bool:
    """Whether signing in takes a secret at all (Visual Layer on-prem takes none)."""
    return BY_PLATFORM[platform].takes_secret(inputs)


def _used_secret(platform: Platform, given: Collection[str]) -> str | None:
    names = [f.name for f in secret_fields(platform)]
    order = [n for n in BY_PLATFORM[platform].secret_preference if n in names]
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
    if isinstance(error, CertificateError) and not error.about_name:
        return "ca_bundle" if has_host(platform) else None
    if isinstance(error, _HOST_ERRORS):
        return "host" if has_host(platform) else None
    if credentials_refused(error):
        return _used_secret(platform, given)
    return None


def connection_problems(ca_bundle: str, proxy: str) -> dict[str, str]:
    """The Connection rows: a CA file that holds PEM certificates; a proxy URL with no password
    in it (settings are kept in the catalog, in plain text: a secret never goes there)."""
    problems: dict[str, str] = {}
    if ca_bundle.strip():
        problem = ca_file_problem(Path(ca_bundle.strip()).expanduser())
        if problem is not None:
            problems["ca_bundle"] = problem
    if proxy.strip():
        parts = urlsplit(proxy.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems["proxy"] = "Give the proxy as a URL, e.g. http://proxy.example:3128"
        elif parts.username or parts.password or parts.query or parts.fragment:
            problems["proxy"] = (
                "A proxy with a user name, password or query in its URL cannot be kept (settings "
                "are not secret storage): use a proxy that does not ask, or one set for the system."
            )
        elif parts.path not in ("", "/"):
            problems["proxy"] = (
                "Give the proxy as scheme, host and port only, e.g. http://proxy.example:3128"
            )
    return problems


CA_FILE_LIMIT = 4 * 1024 * 1024  # a bundle of every public CA is about 250 KB


def ca_file_problem(path: Path) -> str | None:
    """Why `path` cannot serve as a CA bundle (PEM certificates), else None."""
    if not path.is_absolute():
        return "Give the CA certificate file's full path (Browse… picks one)."
    try:
        if path.stat().st_size > CA_FILE_LIMIT:
            return "That file is too big to be a CA certificate file."
        data = path.read_bytes()
    except OSError as exc:
        return f"Could not read {path.name}: {exc.strerror or 'not readable'}."
    from cryptography import x509  # the form's check only: not on the tables' path

    try:
        x509.load_pem_x509_certificates(data)
    except ValueError:
        return f"{path.name} holds no PEM certificate (-----BEGIN CERTIFICATE-----)."
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
    from tokendeck.platforms.outbound import url_problem  # with httpx: the form's check only

    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = "Give the account a name."
    caps = CAPABILITIES[platform]
    if has_host(platform):
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

    problems.update(BY_PLATFORM[platform].form_problems(inputs, has))
    return problems
