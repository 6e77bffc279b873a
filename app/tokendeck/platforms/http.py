"""HTTP for adapters: one client per account, retries for reads, errors mapped to core.errors.

- TLS verification stays on, against the system's trust store (the certificates the operating
  system trusts, so a company's own CA works: see `default_tls`), or only an account's CA
  bundle; an optional proxy. A refused certificate is a `CertificateError`, never retried.
- Every request passes the one outbound rule (`platforms/outbound.py`): https (plain http only
  to a loopback host), no credentials in the URL, and the account's own origin only.
- Redirects are never followed automatically. A redirect to the same origin is followed by hand
  (method kept for 307/308); a redirect to another origin is refused, so the Authorization
  header never reaches it.
- Idempotent requests (GET, DELETE of a known id) are retried on 5xx, 429 and connection
  errors: up to `RETRIES` more times, exponential backoff with full jitter, honouring
  `Retry-After`. Creates are never retried here: the adapter lists and reconciles instead.
- Every failure becomes a `TokenDeckError` subclass carrying the platform's own text and code,
  read by the adapter's `ErrorReader`.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import re
import ssl
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urljoin

import httpx
import truststore

from tokendeck.core import safe_json
from tokendeck.core.errors import (
    DEFAULT_TEXT,
    CertificateError,
    NetworkError,
    PlatformTimeoutError,
    ProtocolError,
    RateLimitedError,
    RedirectRefusedError,
    TokenDeckError,
    for_status,
)
from tokendeck.platforms.outbound import OutboundRule, origin_of

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
RETRIES = 3
BACKOFF_BASE = 0.25
BACKOFF_CAP = 4.0
MAX_REDIRECTS = 3

ErrorReader = Callable[[httpx.Response], tuple[str | None, str | None]]
"""Reads (platform code, platform message) from an error response; never raises."""


def make_client(
    base_url: str,
    *,
    ca_bundle: str | None = None,
    proxy: str | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
    allowed_origins: Iterable[str] = (),
) -> httpx.AsyncClient:
    rule = OutboundRule(base_url, allowed_origins)
    return httpx.AsyncClient(
        event_hooks={"request": [rule.hook]},
        base_url=base_url,
        verify=_verification(ca_bundle),
        proxy=proxy or None,
        timeout=timeout,
        follow_redirects=False,
        transport=transport,
        headers={"Accept": "application/json", "User-Agent": "TokenDeck"},
    )


def _verification(ca_bundle: str | None) -> ssl.SSLContext:
    """The system's trust store, or only the account's CA bundle.
    A context, not the file name: httpx deprecates `verify=<path>`."""
    if not ca_bundle:
        return default_tls()
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as exc:  # moved, replaced, unreadable since it was chosen
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise CertificateError(
            f"The account's CA certificate file ({ca_bundle}) could not be used: {reason}. "
            "Choose it again in Edit account, Connection."
        ) from None


# Where Linux distributions keep their CA bundle, for an OpenSSL whose own default paths hold
# none (the standalone bundle, built on Debian, run on Fedora): truststore's list.
_CA_FILE_CANDIDATES = (
    "/etc/ssl/cert.pem",  # Alpine, Arch, Fedora 34-43, RHEL 9-10, BSD
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # Fedora 44+, RHEL 11+
    "/etc/pki/tls/cert.pem",  # older Fedora, RHEL, CentOS
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu
    "/etc/ssl/ca-bundle.pem",  # SUSE
)


@functools.cache
def default_tls() -> ssl.SSLContext:
    """The one TLS context every client without a CA bundle of its own shares: it verifies
    against the operating system's trust store, not a bundled list such as certifi's, so a
    company CA that IT installed is trusted.

    - Windows and macOS: truststore, which asks the system's own verifier at each handshake.
    - Linux: OpenSSL's system paths ($SSL_CERT_FILE / $SSL_CERT_DIR still apply), else the
      first CA bundle a distribution keeps, loaded once per process (truststore would load the
      whole bundle again at every handshake: 65 ms of the event loop each, here). The hashed
      directory is read lazily, so a CA added there while TokenDeck runs is found.

    Sharing one context is safe: it keeps no connection's state, and the one setting httpcore
    writes on it per connection (ALPN) is the same for every client here (HTTP/1.1 only)."""
    if sys.platform in ("win32", "darwin"):
        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context = ssl.create_default_context()
    paths = ssl.get_default_verify_paths()
    if not (paths.cafile or (paths.capath and _holds_hashed_certs(paths.capath))):
        for candidate in _CA_FILE_CANDIDATES:
            if os.path.isfile(candidate):
                context.load_verify_locations(cafile=candidate)
                break
    return context


def _holds_hashed_certs(folder: str) -> bool:
    try:
        return any(re.fullmatch(r"[0-9a-fA-F]{8}\.[0-9]", name) for name in os.listdir(folder))
    except OSError:
        return False


def certificate_problem(error: BaseException) -> str | None:
    """Why the TLS handshake refused the certificate (OpenSSL's words: "self-signed
    certificate", "Hostname mismatch, ..."), when that is what `error` comes from."""
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 10:
        if isinstance(current, ssl.SSLCertVerificationError):
            # truststore on Windows and macOS gives no verify_message: the text says it all.
            return str(current.verify_message or current.reason or current.strerror or current)
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def untrusted_certificate(host: str, problem: str) -> CertificateError:
    """What to do about a refused certificate, by OpenSSL's reason."""
    problem = problem.rstrip(".")
    lowered = problem.lower()
    if "mismatch" in lowered or "does not match" in lowered or "not valid for" in lowered:
        return CertificateError(
            f"The TLS certificate of {host} is not valid for that name ({problem}). Check the "
            "host: use the name the certificate was made for.",
            about_name=True,
        )
    if "expired" in lowered or "not yet valid" in lowered:
        return CertificateError(
            f"The TLS certificate of {host} is not valid now ({problem}). Check this computer's "
            "clock, or tell the host's administrators."
        )
    return CertificateError(
        f"The TLS certificate of {host} is not trusted: {problem}. If your organisation uses a "
        "certificate authority of its own, add it to the system's trusted certificates, or give "
        "this account its CA certificate file (Edit account, Connection)."
    )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _delay(attempt: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(retry_after, 30.0)
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))  # noqa: S311 - jitter


def body_json(response: httpx.Response) -> Any:
    """The answer's JSON, through `safe_json`: any body (deeply nested, not UTF-8, not JSON)
    raises only `safe_json.JsonError`, a ValueError. Every adapter reads JSON through here."""
    return safe_json.loads(response.content)


def default_error_reader(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        body = body_json(response)
    except ValueError:
        text = response.text.strip()
        return None, text[:300] or None
    if isinstance(body, dict):
        for key in ("message", "detail", "error_description", "error"):
            if isinstance(body.get(key), str):
                code = body.get("error") if key != "error" else None
                return (code if isinstance(code, str) else None), body[key]
    return None, None


def _dig(body: Any, path: tuple[str, ...]) -> str | None:
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body if isinstance(body, str) and body else None


def field_error_reader(code: tuple[str, ...], message: tuple[str, ...]) -> ErrorReader:
    """A reader for a platform whose error JSON has its code and message at these paths, e.g.
    `field_error_reader(("exception", "name"), ("exception", "message"))`; any other body is
    read by `default_error_reader`."""

    def read(response: httpx.Response) -> tuple[str | None, str | None]:
        try:
            body = body_json(response)
        except ValueError:
            return None, response.text.strip()[:300] or None
        text = _dig(body, message)
        if text is None:
            return default_error_reader(response)
        return _dig(body, code), text

    return read


async def request(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    idempotent: bool,
    error_reader: ErrorReader = default_error_reader,
    what: str = "",
    expected: tuple[int, ...] = (200, 201, 202, 204),
    **kwargs: Any,
) -> httpx.Response:
    """Send one request with the policy above; returns a response whose status is expected."""
    attempts = RETRIES + 1 if idempotent else 1
    last_error: TokenDeckError | None = None
    for attempt in range(attempts):
        try:
            response = await _send_following_same_origin(client, method, url, **kwargs)
        except httpx.TimeoutException:
            last_error = PlatformTimeoutError(
                f"{what or 'The request'} timed out: no answer from {client.base_url.host}."
            )
        except httpx.TransportError as exc:
            problem = certificate_problem(exc)
            if problem is not None:
                raise untrusted_certificate(client.base_url.host, problem) from None
            last_error = NetworkError(
                f"Could not reach {client.base_url.host}: {type(exc).__name__}. Check the host and your connection."
            )
        else:
            if response.status_code in expected:
                return response
            error = to_error(response, error_reader, what)
            if not (isinstance(error, (RateLimitedError,)) or response.status_code >= 500):
                raise error
            last_error = error
        if attempt + 1 < attempts:
            retry_after = getattr(last_error, "retry_after", None)
            await asyncio.sleep(_delay(attempt, retry_after))
    assert last_error is not None
    raise last_error


async def _send_following_same_origin(
    client: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    response = await client.request(method, url, **kwargs)
    followed = 0
    while response.is_redirect:
        if followed >= MAX_REDIRECTS:
            await response.aclose()
            raise RedirectRefusedError("Too many redirects.")
        followed += 1
        # `is_redirect` holds only with a Location header.
        target = urljoin(str(response.request.url), response.headers["location"])
        if origin_of(target) != origin_of(response.request.url):
            await response.aclose()
            raise RedirectRefusedError(
                f"The platform redirected to another site ({origin_of(target)[1]}); TokenDeck does not "
                "send credentials there. Check the host in the account settings."
            )
        if response.status_code in (301, 302, 303) and method != "GET":
            await response.aclose()
            raise RedirectRefusedError("The platform redirected a write request; check the host.")
        response = await client.request(method, target, **kwargs)
    return response


def to_error(response: httpx.Response, error_reader: ErrorReader, what: str = "") -> TokenDeckError:
    status = response.status_code
    try:
        code, message = error_reader(response)
    except Exception:  # a broken error body must never hide the status
        code, message = None, None
    kind = for_status(status)
    base = DEFAULT_TEXT.get(kind, f"The platform answered HTTP {status}.")
    sentence = f"{what}: {base}" if what else base
    if message:
        sentence = f"{sentence} ({message})"
    if kind is RateLimitedError:
        return RateLimitedError(
            sentence,
            retry_after=_retry_after(response),
            platform_code=code,
            platform_message=message,
            status=status,
        )
    return kind(sentence, platform_code=code, platform_message=message, status=status)


def json_of(response: httpx.Response, what: str) -> Any:
    try:
        return body_json(response)
    except ValueError:
        raise ProtocolError(
            f"{what}: the platform's answer is not valid JSON (HTTP {response.status_code}).",
            status=response.status_code,
        ) from None


def need(mapping: Any, key: str, kind: type, what: str) -> Any:
    """mapping[key] checked to be a `kind`, else a ProtocolError naming the field."""
    value = mapping.get(key) if isinstance(mapping, Mapping) else None
    if not isinstance(value, kind):
        raise ProtocolError(f"{what}: the platform's answer has no valid '{key}'.")
    return value
