"""The one outbound rule: every request an account makes goes through it, for every adapter."""

from __future__ import annotations

import httpx
import pytest

from tokendeck.core.clock import SystemClock
from tokendeck.core.errors import OutboundRefusedError, TokenDeckError
from tokendeck.core.models import AccountSettings, Platform
from tokendeck.core.platform_types import Session
from tokendeck.core.secret import Secret
from tokendeck.platforms.outbound import OutboundRule, is_loopback, origin_of, url_problem
from tokendeck.platforms.registry import CAPABILITIES, make_adapter

HOSTILE_HOSTS = (
    "http://localhost@evil.invalid",
    "http://localhost.evil.invalid",
    "http://127.0.0.1.nip.io",
    "http://evil.invalid",
    "ftp://evil.invalid",
    "https://user:pw@gate.example",
)


@pytest.mark.parametrize("url", HOSTILE_HOSTS)
def test_hostile_urls_are_refused(url: str) -> None:
    assert url_problem(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://gate.example",
        "http://127.0.0.1:8080",
        "http://127.9.9.9",
        "http://[::1]:9",
        "http://localhost:3",
    ],
)
def test_https_and_parsed_loopback_are_accepted(url: str) -> None:
    assert url_problem(url) is None


NO_USER_INFO = "The URL holds a user name or password: TokenDeck never puts credentials in a URL."
HTTPS_ONLY_OFF_THIS_MACHINE = (
    "Use https:// (plain http only for this machine: localhost, 127.0.0.1 or ::1)."
)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://gate.example:99999/x", "This is not a valid URL."),
        ("https://gate.example:port/x", "This is not a valid URL."),
        ("https://user:pw@gate.example", NO_USER_INFO),
        ("https://user@gate.example", NO_USER_INFO),
        ("https://:pw@gate.example", NO_USER_INFO),
        ("https://@gate.example", NO_USER_INFO),
        ("http://localhost@evil.invalid", NO_USER_INFO),
        ("https:///path", "The URL has no host."),
        ("gate.example/path", "The URL has no host."),
        ("http://evil.invalid", HTTPS_ONLY_OFF_THIS_MACHINE),
        ("http://localhost.evil.invalid", HTTPS_ONLY_OFF_THIS_MACHINE),
        ("http://127.0.0.1.nip.io", HTTPS_ONLY_OFF_THIS_MACHINE),
        ("ftp://evil.invalid", "Use an https:// URL."),
        ("ftp://localhost", "Use an https:// URL."),
    ],
)
def test_each_refused_url_says_why(url: str, problem: str) -> None:
    assert url_problem(url) == problem


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LocalHost", True),
        ("127.0.0.1", True),
        ("127.200.0.9", True),
        ("::1", True),
        ("[::1]", True),
        ("[::1", True),
        ("localhostX", False),
        ("Xlocalhost", False),
        ("localhost.", False),
        ("128.0.0.1", False),
        ("::2", False),
        ("[::2]", False),
        ("", False),
    ],
)
def test_loopback_is_decided_by_parsing_the_host(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Gate.Example/x", ("https", "gate.example", 443)),
        ("HTTP://localhost/x", ("http", "localhost", 80)),
        ("https://gate.example:8443", ("https", "gate.example", 8443)),
        ("http://[::1]:9/x", ("http", "::1", 9)),
        ("ftp://gate.example/x", ("ftp", "gate.example", 0)),
        ("https:///x", ("https", "", 443)),
        ("https://gate.example:99999/x", ("", "", 0)),
        (httpx.URL("https://gate.example:8443/x"), ("https", "gate.example", 8443)),
    ],
)
def test_an_origin_is_scheme_host_and_port(url: str | httpx.URL, origin: object) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://evil.invalid/x",
            f"Refused to contact http://evil.invalid: {HTTPS_ONLY_OFF_THIS_MACHINE}",
        ),
        ("ftp://evil.invalid/x", "Refused to contact ftp://evil.invalid: Use an https:// URL."),
        (
            "ftp://evil.invalid:2121/x",
            "Refused to contact ftp://evil.invalid:2121: Use an https:// URL.",
        ),
        (
            "https://gate.example:99999/x",
            "Refused to contact an unreadable address: This is not a valid URL.",
        ),
        ("https:///x", "Refused to contact an unreadable address: The URL has no host."),
        (
            "https://gate.example:8443/x",
            "Refused to send this account's credentials to https://gate.example:8443: it is not "
            "the account's host. If that site is really part of the platform, add it to the "
            "account's allowed origins.",
        ),
        (
            "https://API.gate.example:443/x",
            "Refused to send this account's credentials to https://api.gate.example: it is not "
            "the account's host. If that site is really part of the platform, add it to the "
            "account's allowed origins.",
        ),
        (
            "http://localhost:80/x",
            "Refused to send this account's credentials to http://localhost: it is not "
            "the account's host. If that site is really part of the platform, add it to the "
            "account's allowed origins.",
        ),
    ],
)
def test_a_refusal_names_the_address_it_refused(url: str, message: str) -> None:
    with pytest.raises(OutboundRefusedError) as refused:
        OutboundRule("https://gate.example").check(url)
    assert str(refused.value) == message


def test_same_origin_only_unless_confirmed() -> None:
    rule = OutboundRule("https://gate.example")
    rule.check("https://gate.example/api/v1/x")
    rule.check("https://GATE.example:443/x")
    for other in (
        "http://gate.example/x",
        "https://gate.example:8443/x",
        "https://api.gate.example/x",
    ):
        with pytest.raises(OutboundRefusedError):
            rule.check(other)
    OutboundRule("https://gate.example", ["https://api.gate.example"]).check(
        "https://api.gate.example/x"
    )
    assert origin_of("https://gate.example") == ("https", "gate.example", 443)


class Recorder:
    """A transport that records what reached it; answers with `answer(request)`."""

    def __init__(self) -> None:
        self.seen: list[httpx.URL] = []

    def transport(self, answer: object = None) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.seen.append(request.url)
            if callable(answer):
                return answer(request)  # type: ignore[no-any-return]
            return httpx.Response(500, json={})

        return httpx.MockTransport(handle)


INPUTS = {
    "username": "u@example.test",
    "client_id": "c",
    "resource_hash": "h",
    "mode": "cloud",
    "api_key": "k",
}
SECRETS = {
    name: Secret("tdtest-" + name + "-" + "x" * 40)
    for name in ("password", "api_key", "api_secret", "client_secret", "access_token")
}


@pytest.mark.parametrize("platform", [p for p in CAPABILITIES if p is not Platform.MANUAL])
async def test_every_adapter_refuses_a_host_off_this_machine_over_http(platform: Platform) -> None:
    recorder = Recorder()
    adapter = make_adapter(
        platform,
        "http://localhost.evil.invalid",
        AccountSettings(),
        SystemClock(),
        recorder.transport(),
    )
    try:
        with pytest.raises(OutboundRefusedError):
            await adapter.sign_in(INPUTS, SECRETS)
    finally:
        await adapter.aclose()
    assert recorder.seen == [], "nothing left the machine"


async def test_haut_pagination_never_follows_a_link_to_another_origin() -> None:
    recorder = Recorder()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"results": [], "next": "https://evil.invalid/api/v1/auth/private_tokens/"}
        )

    adapter = make_adapter(
        Platform.HAUT,
        "https://haut.example",
        AccountSettings(),
        SystemClock(),
        recorder.transport(answer),
    )
    try:
        with pytest.raises(OutboundRefusedError):
            await adapter.list_keys(Session(Secret("tdtest-token")))
    finally:
        await adapter.aclose()
    assert [u.host for u in recorder.seen] == ["haut.example"]


async def test_oauth_never_sends_the_client_secret_to_a_discovered_foreign_endpoint() -> None:
    recorder = Recorder()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"token_endpoint": "http://evil.invalid/token"})

    adapter = make_adapter(
        Platform.OAUTH2,
        "https://issuer.example",
        AccountSettings(),
        SystemClock(),
        recorder.transport(answer),
    )
    try:
        with pytest.raises(OutboundRefusedError):
            await adapter.sign_in({"client_id": "c"}, {"client_secret": Secret("tdtest-s")})
        with pytest.raises(OutboundRefusedError):
            await adapter.sign_in(
                {"client_id": "c", "token_endpoint": "https://localhost@evil.invalid/t"},
                {"client_secret": Secret("tdtest-s")},
            )
    finally:
        await adapter.aclose()
    assert {u.host for u in recorder.seen} == {"issuer.example"}


async def test_a_confirmed_origin_is_allowed() -> None:
    recorder = Recorder()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(200, json={"token_endpoint": "https://login.example/token"})
        return httpx.Response(200, json={"access_token": "opaque-token", "expires_in": 60})

    adapter = make_adapter(
        Platform.OAUTH2,
        "https://issuer.example",
        AccountSettings(allowed_origins=("https://login.example",)),
        SystemClock(),
        recorder.transport(answer),
    )
    try:
        session = await adapter.sign_in({"client_id": "c"}, {"client_secret": Secret("tdtest-s")})
    finally:
        await adapter.aclose()
    assert session.access.reveal() == "opaque-token"
    assert [u.host for u in recorder.seen] == ["issuer.example", "login.example"]


def test_the_refusal_is_a_tokendeck_error() -> None:
    assert issubclass(OutboundRefusedError, TokenDeckError)


async def test_other_trusted_sites_typed_in_the_form_are_allowed() -> None:
    from tokendeck.platforms.registry import allowed_origins

    settings = AccountSettings(
        inputs={"allowed_origins": "https://login.example, https://other.example"}
    )
    assert allowed_origins(settings) == ["https://login.example", "https://other.example"]
    field_names = [f.name for f in CAPABILITIES[Platform.OAUTH2].fields]
    assert "allowed_origins" in field_names


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_the_account_form_refuses_what_the_outbound_rule_refuses(host: str) -> None:
    from tokendeck.services.account_forms import validate

    problems = validate(Platform.HAUT, "h", host, {"username": "u"}, {"password": True})
    assert problems.get("host") == url_problem(host)
    assert "host" not in validate(
        Platform.HAUT, "h", "http://127.0.0.1:8080", {"username": "u"}, {"password": True}
    )


def test_the_account_form_checks_other_trusted_sites() -> None:
    from tokendeck.services.account_forms import validate

    inputs = {"client_id": "c", "allowed_origins": "https://ok.example http://evil.invalid"}
    problems = validate(
        Platform.OAUTH2, "o", "https://issuer.example", inputs, {"client_secret": True}
    )
    assert problems["allowed_origins"].startswith("http://evil.invalid:")
