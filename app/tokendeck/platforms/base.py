"""The one async interface every platform adapter implements, and what HTTP adapters share: the
connection test and the deletion of a key, each through the one request path (platforms/http.py:
the outbound rule, same-origin redirects, bounded bodies, the error tree)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from tokendeck.core.clock import Clock
from tokendeck.core.errors import NetworkError, UnsupportedError
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import (
    Capabilities,
    NewKey,
    ProbeResult,
    RemoteKey,
    Session,
    explain_status,
)
from tokendeck.core.secret import Secret

if TYPE_CHECKING:  # the services load this module before the first rows show: no httpx yet
    import httpx


ANY_STATUS = tuple(range(100, 600))  # a connection test explains every answer


class PlatformAdapter(Protocol):
    platform: Platform
    capabilities: Capabilities

    async def sign_in(
        self, inputs: Mapping[str, str], secrets: Mapping[str, Secret]
    ) -> Session: ...

    async def refresh(self, session: Session, secrets: Mapping[str, Secret]) -> Session:
        """A fresh session; `secrets` are the account's stored secret inputs."""
        ...

    async def probe(self, session: Session) -> ProbeResult: ...

    async def list_keys(self, session: Session) -> list[RemoteKey]: ...

    async def create_key(
        self, session: Session, name: str, lifetime: timedelta | None, scopes: tuple[str, ...]
    ) -> NewKey: ...

    async def revoke_key(self, session: Session, key_id: str) -> None: ...

    async def end_session(self, session: Session) -> None:
        """Undo on the platform what signing in created (e.g. Trifacta's minted token)."""
        ...

    async def aclose(self) -> None: ...


class HttpAdapter:
    """What every HTTP adapter shares: its own client (one per account) and the clock."""

    def __init__(self, client: httpx.AsyncClient, clock: Clock) -> None:
        self._http = client
        self._clock = clock

    async def end_session(self, session: Session) -> None:
        """Most platforms' sessions simply lapse: nothing to undo."""

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _probe_get(
        self,
        session: Session,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        authorised: bool = True,
        who: Callable[[httpx.Response], str] | None = None,
        said: bool = False,
    ) -> ProbeResult:
        """The platform's cheap check call: one GET (never retried: a test reports what it
        sees), any status an answer to explain. `who` reads who the token belongs to from a
        200; with `said`, a refusal adds the platform's own words."""
        from tokendeck.platforms import http
        from tokendeck.platforms.common import bearer

        try:
            response = await http.request(
                self._http,
                "GET",
                path,
                params=params,
                headers=bearer(session.access) if authorised else {},
                idempotent=False,
                what="The test",
                expected=ANY_STATUS,
            )
        except NetworkError as error:
            return ProbeResult(False, None, f"No answer from the platform: {error.message}")
        status = response.status_code
        explanation = explain_status(status)
        if status != 200:
            if said and (words := http.default_error_reader(response)[1]):
                explanation += f" ({words})"
            return ProbeResult(False, status, explanation)
        try:
            return ProbeResult(True, status, explanation, who(response) if who else "")
        except (ValueError, AttributeError, TypeError):
            return ProbeResult(False, status, "200, but the answer is not what the platform sends.")

    async def _delete(
        self,
        session: Session,
        path: str,
        *,
        what: str,
        error_reader: Callable[[httpx.Response], tuple[str | None, str | None]] | None = None,
    ) -> None:
        """Delete a key (or a session token) on the platform; one already gone is deleted."""
        from tokendeck.platforms import http
        from tokendeck.platforms.common import bearer

        await http.request(
            self._http,
            "DELETE",
            path,
            headers=bearer(session.access),
            idempotent=True,
            error_reader=error_reader or http.default_error_reader,
            what=what,
            expected=(200, 204, 404),
        )


class NoKeys:
    """Mixin for adapters whose platform has no key management."""

    async def list_keys(self, session: Session) -> list[RemoteKey]:
        raise UnsupportedError("This platform has no API keys TokenDeck can list.")

    async def create_key(
        self, session: Session, name: str, lifetime: timedelta | None, scopes: tuple[str, ...]
    ) -> NewKey:
        raise UnsupportedError("This platform has no API keys TokenDeck can create.")

    async def revoke_key(self, session: Session, key_id: str) -> None:
        raise UnsupportedError("This platform has no API keys TokenDeck can revoke.")
