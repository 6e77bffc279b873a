"""TLS is verified against the operating system's trust store: a company CA that IT added to the
system (here: update-ca-certificates, as on Debian) is trusted without any TokenDeck setting, as
a bundled list (certifi) would not. And each refusal says what to do about it."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need_tools
from tests.unit.test_http_client import serve
from tokendeck.core.errors import CertificateError
from tokendeck.platforms.http import default_tls, make_client, request
from tokendeck.sandbox.tls import make_pki

SYSTEM_CAS = Path("/usr/local/share/ca-certificates")


@pytest.fixture
def fresh_trust() -> Iterator[None]:
    default_tls.cache_clear()
    yield
    default_tls.cache_clear()


def _update_system_cas(*options: str) -> None:
    done = subprocess.run(
        ["update-ca-certificates", *options],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow  # changes the machine's trust store: once per run, not in the clock passes
async def test_a_ca_the_system_trusts_is_trusted_without_any_setting(
    tmp_path: Path, fresh_trust: None
) -> None:
    need_tools("update-ca-certificates")
    if os.geteuid() != 0:
        pytest.fail("adding a CA to the system's trust store needs root (scripts/test runs so)")
    leftovers = list(SYSTEM_CAS.glob("tokendeck-test-*.crt"))  # from a run killed midway
    for stale in leftovers:
        stale.unlink()
    if leftovers:
        _update_system_cas("--fresh")
    pki = make_pki(tmp_path)
    for port, seen in serve(pki.server_context()):
        url = f"https://localhost:{port}"
        async with make_client(url) as client:
            with pytest.raises(CertificateError, match="unable to get local issuer certificate"):
                await request(client, "GET", "/before", idempotent=False)
        installed = SYSTEM_CAS / f"tokendeck-test-{secrets.token_hex(4)}.crt"
        SYSTEM_CAS.mkdir(parents=True, exist_ok=True)
        installed.write_bytes(pki.ca_file.read_bytes())
        try:
            _update_system_cas()
            default_tls.cache_clear()
            async with make_client(url) as client:
                response = await request(client, "GET", "/after", idempotent=False)
        finally:
            installed.unlink()
            _update_system_cas("--fresh")  # without it, the CA's links stay in /etc/ssl/certs
        assert not list(Path("/etc/ssl/certs").glob(f"{installed.stem}*"))
        assert response.status_code == 200
        assert seen == ["/after"]


async def test_an_expired_host_certificate_says_to_check_the_clock(
    tmp_path: Path, fresh_trust: None
) -> None:
    pki = make_pki(tmp_path, host_lifetime=dt.timedelta(hours=1))
    for port, seen in serve(pki.server_context()):
        async with make_client(f"https://localhost:{port}", ca_bundle=str(pki.ca_file)) as client:
            with pytest.raises(CertificateError) as refused:
                await request(client, "GET", "/keys", idempotent=True)
        assert str(refused.value) == (
            "The TLS certificate of localhost is not valid now (certificate has expired). "
            "Check this computer's clock, or tell the host's administrators."
        )
        assert seen == []
