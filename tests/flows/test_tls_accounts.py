"""An account on a host whose certificate a company CA signed (the sandbox over HTTPS, with a
throw-away CA the system does not trust): the sign-in is refused with what to do, nothing is
kept and nothing was sent; with the CA file in the account's Connection settings it works, and
so do its keys; the refusal points at the CA field of the form."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.flows.conftest import draft
from tokendeck.core.errors import CertificateError
from tokendeck.core.models import AccountStatus, Platform
from tokendeck.core.secret import Secret
from tokendeck.platforms.http import default_tls
from tokendeck.sandbox.tls import SandboxPki, make_pki
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld, build_world
from tokendeck.services import account_forms
from tokendeck.services.app_services import AppServices


@pytest.fixture
def pki(tmp_path: Path) -> SandboxPki:
    return make_pki(tmp_path / "pki")


@pytest.fixture
def https_world(pki: SandboxPki) -> Iterator[SandboxWorld]:
    default_tls.cache_clear()  # the system's trust store as it is now
    sandbox = build_world().start(tls=pki)
    yield sandbox
    sandbox.stop()


async def test_a_company_ca_account_is_refused_until_its_ca_file_is_given(
    services: AppServices, https_world: SandboxWorld, pki: SandboxPki
) -> None:
    account = draft(https_world, Platform.HAUT)
    assert account.host.startswith("https://127.0.0.1:")
    inputs = {"username": DEMO_USER}
    secrets = {"password": Secret(https_world.password)}
    with pytest.raises(CertificateError) as refused:
        await services.sessions.add_signed_in(account, inputs, secrets)
    message = str(refused.value)
    assert message.startswith("The TLS certificate of 127.0.0.1 is not trusted: ")
    assert "CA certificate file" in message
    assert account_forms.field_for_error(Platform.HAUT, refused.value, set(secrets)) == "ca_bundle"
    assert await services.accounts.all_accounts() == []  # a refused sign-in keeps nothing

    trusted = replace(account, settings=replace(account.settings, ca_bundle=str(pki.ca_file)))
    saved = await services.sessions.add_signed_in(trusted, inputs, secrets)
    assert saved.status is AccountStatus.SIGNED_IN
    assert (await services.accounts.get(saved.id)).settings.ca_bundle == str(pki.ca_file)
    _, secret = await services.keys.create_key(saved, "over https", timedelta(days=7))
    assert secret.reveal()
    assert "over https" in {view.remote.name for view in await services.keys.list_keys(saved)}


async def test_a_host_name_the_certificate_is_not_for_points_at_the_host(
    services: AppServices, https_world: SandboxWorld, pki: SandboxPki
) -> None:
    """The certificate names 127.0.0.1 and localhost; the same server by another name of this
    machine is refused even with the CA given, and the message is about the host."""
    account = draft(https_world, Platform.HAUT)
    port = account.host.rsplit(":", 1)[1]
    renamed = replace(
        account,
        host=f"https://[::ffff:127.0.0.1]:{port}",
        settings=replace(account.settings, ca_bundle=str(pki.ca_file)),
    )
    with pytest.raises(CertificateError) as refused:
        await services.sessions.add_signed_in(
            renamed, {"username": DEMO_USER}, {"password": Secret(https_world.password)}
        )
    assert refused.value.about_name
    assert account_forms.field_for_error(Platform.HAUT, refused.value, {"password"}) == "host"
