"""Manual accounts: a token or key pasted by hand, tracked for expiry. No network."""

from __future__ import annotations

from collections.abc import Mapping

from tokendeck.core.clock import Clock
from tokendeck.core.errors import PlatformError, UnsupportedError
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import Capabilities, Field, ProbeResult, Session
from tokendeck.core.secret import Secret
from tokendeck.platforms.base import NoKeys
from tokendeck.platforms.common import jwt_expiry
from tokendeck.platforms.spec import PlatformSpec

CAPABILITIES = Capabilities(
    sign_in_methods=("token",),
    fields=(Field("token", "Token or key", secret=True, multiline=True),),
    default_host="",
    probe=False,
    notes="TokenDeck keeps the token and warns before it expires (when it is a JWT with exp).",
)


class ManualAdapter(NoKeys):
    platform = Platform.MANUAL
    capabilities = CAPABILITIES

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def end_session(self, session: Session) -> None:
        """A pasted token belongs to whoever made it: nothing to undo."""

    async def aclose(self) -> None:
        return None

    async def sign_in(self, inputs: Mapping[str, str], secrets: Mapping[str, Secret]) -> Session:
        token = secrets.get("token")
        if not token:
            raise PlatformError("Paste the token.")
        return Session(access=token, expires_at=jwt_expiry(token))

    async def refresh(self, session: Session, secrets: Mapping[str, Secret]) -> Session:
        raise UnsupportedError("A pasted token cannot be refreshed.")

    async def probe(self, session: Session) -> ProbeResult:
        expires = session.expires_at
        if expires is not None and expires <= self._clock.now():
            return ProbeResult(False, None, "The token has expired.")
        return ProbeResult(True, None, "Not checked with a platform (pasted token); not expired.")


SPEC = PlatformSpec(
    Platform.MANUAL, CAPABILITIES, lambda clock, _client: ManualAdapter(clock), remote=False
)
