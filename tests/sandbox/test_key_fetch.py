"""JWKS URL and OIDC discovery, through `tokendeck inspect` and the services, against the sandbox."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tokendeck.core.token_decode import inspect_token
from tokendeck.core.token_verify import SignatureStatus, verify
from tokendeck.sandbox.oidc import OidcIssuer
from tokendeck.services.key_lookup import KeyLookup, KeyLookupError


def _inspect(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tokendeck", "inspect", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_jwks_url_and_discovery(issuer: tuple[OidcIssuer, str]) -> None:
    oidc, url = issuer
    token = oidc.mint("tokendeck-demo")
    by_url = _inspect(token, "--jwks-url", f"{url}/jwks.json")
    assert by_url.returncode == 0, by_url.stderr
    assert json.loads(by_url.stdout)["signature"] == "verified"
    discovered = _inspect(token, "--discover")
    assert discovered.returncode == 0, discovered.stderr
    assert json.loads(discovered.stdout)["signature"] == "verified"


def test_cli_key_fetch_failure_is_exit_2(issuer: tuple[OidcIssuer, str]) -> None:
    oidc, url = issuer
    done = _inspect(oidc.mint("x"), "--jwks-url", f"{url}/nope.json")
    assert done.returncode == 2
    assert "HTTP 404" in done.stderr


async def test_key_lookup_discovers_and_caches(issuer: tuple[OidcIssuer, str]) -> None:
    oidc, url = issuer
    lookup = KeyLookup()
    try:
        inspection = inspect_token(oidc.mint("tokendeck-demo"))
        keys = await lookup.from_issuer(inspection)
        assert verify(inspection, keys).status is SignatureStatus.VERIFIED
        assert await lookup.from_jwks_url(f"{url}/jwks.json") is keys
        with pytest.raises(KeyLookupError, match="Refusing to fetch keys"):
            await lookup.from_jwks_url("http://example.test/jwks.json")
    finally:
        await lookup.aclose()
