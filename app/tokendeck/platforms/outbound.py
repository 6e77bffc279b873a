"""The one outbound rule: where an account's requests may go.

Every request an account's client sends (sign in, refresh, pagination links a platform returns,
token endpoints from discovery, probes) passes `OutboundRule.check` in an httpx request hook, so
no adapter can forget it:

- `https`, or plain `http` only to this machine: a host that *parses* as a loopback address
  (127.0.0.0/8, ::1) or is exactly `localhost`; never decided by a string prefix
  (`http://localhost.evil.example`, `http://127.0.0.1.nip.io` are refused);
- no user info in the URL (`http://localhost@evil.example` is refused);
- the same origin (scheme, host, port) as the account's host, unless the user confirmed that
  other origin in the account's settings (`AccountSettings.allowed_origins`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx

from tokendeck.core.errors import OutboundRefusedError

Origin = tuple[str, str, int]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin_of(url: str | httpx.URL) -> Origin:
    """(scheme, host, port) with the scheme's default port filled in; ("", "", 0) if unreadable."""
    try:
        parts = urlsplit(str(url))
        port = parts.port
    except ValueError:
        return "", "", 0
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def url_problem(url: str | httpx.URL) -> str | None:
    """Why TokenDeck would never send credentials to `url`, or None if the scheme and host are
    acceptable (the origin rule is the rule's own business)."""
    text = str(url)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "This is not a valid URL."
    if "@" in parts.netloc:  # user info, even an empty one (`https://@host`)
        return "The URL holds a user name or password: TokenDeck never puts credentials in a URL."
    if not parts.hostname:
        return "The URL has no host."
    scheme = parts.scheme.lower()
    if scheme == "https":
        return None
    if scheme == "http":
        if is_loopback(parts.hostname):
            return None
        return "Use https:// (plain http only for this machine: localhost, 127.0.0.1 or ::1)."
    return "Use an https:// URL."


class OutboundRule:
    def __init__(self, home: str, allowed_origins: Iterable[str] = ()) -> None:
        self.home = origin_of(home)
        self._allowed = {self.home} | {origin_of(o) for o in allowed_origins if o}

    def check(self, url: str | httpx.URL) -> None:
        """Raise `OutboundRefusedError` unless a request to `url` is allowed."""
        problem = url_problem(url)
        if problem is not None:
            raise OutboundRefusedError(f"Refused to contact {_where(url)}: {problem}")
        if origin_of(url) not in self._allowed:
            raise OutboundRefusedError(
                f"Refused to send this account's credentials to {_where(url)}: it is not the "
                "account's host. If that site is really part of the platform, add it to the "
                "account's allowed origins."
            )

    async def hook(self, request: httpx.Request) -> None:
        """httpx `request` event hook: runs before every request the client sends."""
        self.check(request.url)


def _where(url: str | httpx.URL) -> str:
    scheme, host, port = origin_of(url)
    if not host:
        return "an unreadable address"
    shown = f"{scheme}://{host}"
    return shown if port == _DEFAULT_PORTS.get(scheme, 0) else f"{shown}:{port}"
