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
    │   └── PlatformTimeoutError     no answer in time
    ├── UnsupportedError             the platform does not offer this (see its capabilities)
    └── RedirectRefusedError         a redirect to another origin (credentials never follow)

Each keeps the platform's own text (`platform_message`) and code (`platform_code`) next to the
sentence for people, and never a secret.
"""

from __future__ import annotations

from tokendeck.core.redaction import redact


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
        """The sentence plus the platform's own words, for an error panel."""
        parts = [self.message]
        said = " ".join(p for p in (self.platform_code, self.platform_message) if p)
        if said and said not in self.message:
            parts.append(f"The platform said: {said}")
        if self.status:
            parts.append(f"(HTTP {self.status})")
        return " ".join(parts)


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


class UnsupportedError(TokenDeckError):
    pass


class RedirectRefusedError(TokenDeckError):
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
