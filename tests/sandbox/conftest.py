from __future__ import annotations

from collections.abc import Iterator

import pytest

from tokendeck.sandbox.oidc import OidcIssuer
from tokendeck.sandbox.server import SandboxServer


@pytest.fixture(scope="module")
def issuer() -> Iterator[tuple[OidcIssuer, str]]:
    oidc = OidcIssuer(access_lifetime=120)
    with SandboxServer({"oauth2": oidc.app}) as server:
        yield oidc, server.urls["oauth2"]
