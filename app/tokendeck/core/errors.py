"""The one error tree every platform error is turned into.

    TokenDeckError                   anything TokenDeck explains to a person
    ├── PlatformError                the platform answered, and said no
    │   ├── AuthError                401: wrong password, token invalid or expired
    │   ├── PermissionDeniedError    403: valid credentials, not allowed
    │   ├── NotFoundError            404: no such resource, or the feature is off
    │   ├── InvalidRequestError      400 / 422: the platform refused the input
    │   ├── LimitReachedError        a platform limit (e.g. Dataloop's 10 API keys)
    │   ├── RateLimitedError         429, with `retry_after` seconds when the platform said
    │   ├── ServerError              5xx
    │   └── ProtocolError            an answer TokenDeck cannot read (malformed JSON, ...)
    ├── NetworkError                 no answer: connection refused / reset, DNS, TLS
    │   ├── PlatformTimeoutError     no answer in time
    │   ├── CertificateError         the host's TLS certificate is not trusted (nothing was sent)
    │   └── UncertainWriteError      a write whose answer was lost or unreadable: what TokenDeck
    │                                then checked, and what is left to do
    ├── UnsupportedError             the platform does not offer this (see its capabilities)
    ├── TrackRefusedError            a pasted token TokenDeck will not track (unreadable)
    │   └── AlreadyTrackedError      the same token is tracked already (`existing`)
    └── OutboundRefusedError         a request the outbound rule forbids (plain http off this
        │                            machine, another origin, credentials in the URL)
        └── RedirectRefusedError     a redirect to another origin (credentials never follow)

Each keeps the platform's own text (`platform_message`) and code (`platform_code`) next to the
sentence for people, and never a secret.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tokendeck.core.redaction import redact

if TYPE_CHECKING:
    from tokendeck.core.models import Credential


class TokenDeckError(Exception):
    def __init__(
        self,
        message: str,
        *,
        platform_code: str | None = None,
        platform_message: str | None = None,
        status: int | None = None,
    ) -> None:
        # A platform may echo what it was sent ("invalid token eyJ..."): every text an error
        # carries is redacted here, once, for the banner, the log and the repr alike.
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.platform_code = redact(platform_code) if platform_code else platform_code
        self.platform_message = redact(platform_message) if platform_message else platform_message
        self.status = status

    def details(self) -> str:
        """The sentence plus the platform's own words, each said once, for an error panel.

        The platform's message is added only when the sentence does not already carry it
        (compared case- and punctuation-blind); its code only when it adds something: with a
        message that is not shown yet, or alone when the platform gave no message. The HTTP
        status is added unless the sentence already names it."""
        parts = [self.message]
        code, said = self.platform_code, self.platform_message
        if said and not _within(said, self.message):
            if code and not _within(code, self.message) and not _within(code, said):
                said = f"{said} ({code})"
            parts.append(f"The platform said: {said}")
        elif not said and code and not _within(code, self.message):
            parts.append(f"The platform said: {code}")
        if self.status and not re.search(rf"\bHTTP {self.status}\b", self.message):
            parts.append(f"(HTTP {self.status})")
        return " ".join(parts)


def _within(part: str, text: str) -> bool:
    """Whether `part`'s words appear in `text`, in order, ignoring case and punctuation:
    "Incorrect password." is within "refused (incorrect  password)"; "pass" is not within it."""

    def words(value: str) -> str:
        return " " + " ".join(re.sub(r"[\W_]+", " ", value.casefold()).split()) + " "

    return words(part).strip() != "" and words(part) in words(text)


class PlatformError(TokenDeckError):
    pass


class AuthError(PlatformError):
    pass


class PermissionDeniedError(PlatformError):
    pass


class NotFoundError(PlatformError):
    pass


class InvalidRequestError(PlatformError):
    pass


class LimitReachedError(PlatformError):
    pass


class RateLimitedError(PlatformError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(PlatformError):
    pass


class ProtocolError(PlatformError):
    pass


class NetworkError(TokenDeckError):
    pass


class PlatformTimeoutError(NetworkError):
    pass


class CertificateError(NetworkError):
    """The TLS handshake refused the host's certificate: nothing was sent, and trying again will
    not help until the certificate or the trust changes. `about_name`: the certificate is for
    another host name (the host is wrong), rather than not trusted or not valid now."""

    def __init__(self, message: str, *, about_name: bool = False) -> None:
        super().__init__(message)
        self.about_name = about_name


class UncertainWriteError(NetworkError):
    """A create or revoke whose outcome the platform's answer did not tell; the message says
    what TokenDeck found when it checked. `created_ids`: keys the lost create left behind."""

    def __init__(self, message: str, *, created_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.created_ids = created_ids


class UnsupportedError(TokenDeckError):
    pass


class OutboundRefusedError(TokenDeckError):
    pass


class RedirectRefusedError(OutboundRefusedError):
    pass


def for_status(status: int) -> type[PlatformError]:
    if status == 401:
        return AuthError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    return InvalidRequestError


DEFAULT_TEXT = {
    AuthError: "The credentials were refused: the password is wrong, or the token is invalid or expired.",
    PermissionDeniedError: "The credentials are valid but not allowed to do this.",
    NotFoundError: "Not found: it does not exist, or this account cannot see it.",
    InvalidRequestError: "The platform refused the request.",
    RateLimitedError: "Too many requests: the platform asks to slow down.",
    ServerError: "The platform had an internal error; try again later.",
}


class LocalStorageError(Exception):
    """The catalog or the secret store failed here (locked, busy, damaged, a full disk): the
    message is for people, and never carries a secret. Not a `TokenDeckError` (that tree is the
    platforms' answers), so it is never mistaken for a platform's refusal."""


class TrackRefusedError(TokenDeckError, ValueError):
    """A pasted token TokenDeck will not track: the message says why (e.g. it is unreadable)."""


class AlreadyTrackedError(TrackRefusedError):
    """The same token is already tracked; `existing` is the credential that holds it."""

    def __init__(self, existing: Credential) -> None:
        super().__init__(f"This token is already tracked as “{existing.label}”.")
        self.existing = existing
