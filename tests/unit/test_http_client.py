"""An account's HTTP client: the platform's certificate is verified (against the account's own CA
bundle when it has one), the account's proxy is used, every request passes the outbound rule,
and it says who it is and how long it waits. Real TLS and a real proxy on loopback."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tokendeck.core.errors import CertificateError, OutboundRefusedError
from tokendeck.platforms.http import default_tls, make_client, request


class Recorder(BaseHTTPRequestHandler):
    """Answers every GET with 200 and the request line it received."""

    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = json.dumps({"path": self.path, "host": self.headers["Host"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(tls: ssl.SSLContext | None = None) -> Iterator[tuple[int, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for localhost that no public CA signed: (its PEM file, the server's TLS)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TokenDeck test CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost")]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = tmp_path / "ca.pem"
    key_path = tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_path, key_path)
    return cert_path, server_tls


@pytest.fixture
def tls_server(self_signed: tuple[Path, ssl.SSLContext]) -> Iterator[tuple[int, list[str]]]:
    yield from serve(self_signed[1])


@pytest.fixture
def proxy_server() -> Iterator[tuple[int, list[str]]]:
    yield from serve()


async def test_a_certificate_no_trusted_ca_signed_is_refused(
    tls_server: tuple[int, list[str]],
) -> None:
    port, seen = tls_server
    async with make_client(f"https://localhost:{port}") as client:
        with pytest.raises(CertificateError) as refused:
            await request(client, "GET", "/keys", idempotent=True)
    assert str(refused.value).startswith(
        "The TLS certificate of localhost is not trusted: self-signed certificate. If your "
        "organisation uses a certificate authority of its own"
    )
    assert "CA certificate file" in str(refused.value)
    assert seen == [], "no request was sent over the unverified connection"


async def test_the_accounts_ca_bundle_is_trusted(
    tls_server: tuple[int, list[str]], self_signed: tuple[Path, ssl.SSLContext]
) -> None:
    port, seen = tls_server
    async with make_client(f"https://localhost:{port}", ca_bundle=str(self_signed[0])) as client:
        response = await request(client, "GET", "/keys", idempotent=False)
    assert response.json()["path"] == "/keys"
    assert seen == ["/keys"]


async def test_a_ca_bundle_still_checks_the_host_name(
    tls_server: tuple[int, list[str]], self_signed: tuple[Path, ssl.SSLContext]
) -> None:
    port, seen = tls_server
    # The certificate names localhost only.
    async with make_client(f"https://127.0.0.1:{port}", ca_bundle=str(self_signed[0])) as client:
        with pytest.raises(CertificateError) as refused:
            await request(client, "GET", "/keys", idempotent=False)
    assert str(refused.value) == (
        "The TLS certificate of 127.0.0.1 is not valid for that name (IP address mismatch, "
        "certificate is not valid for '127.0.0.1'). Check the host: use the name the "
        "certificate was made for."
    )
    assert seen == []


async def test_requests_go_through_the_accounts_proxy(proxy_server: tuple[int, list[str]]) -> None:
    port, seen = proxy_server
    async with make_client("http://localhost:9", proxy=f"http://127.0.0.1:{port}") as client:
        response = await request(client, "GET", "/keys?page=2", idempotent=False)
    assert seen == ["http://localhost:9/keys?page=2"], "the proxy got the absolute URL"
    assert response.json()["host"] == "localhost:9"


def _echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


async def test_every_request_says_who_sends_it_and_what_it_accepts() -> None:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _echo(request)

    async with make_client("https://gate.example", transport=httpx.MockTransport(handle)) as c:
        await request(c, "GET", "/keys", idempotent=True)
    headers = sent[0].headers.raw
    assert (b"Accept", b"application/json") in headers
    assert (b"User-Agent", b"TokenDeck") in headers


async def test_a_request_waits_fifteen_seconds_for_an_answer_and_five_to_connect() -> None:
    timeouts: list[object] = []

    def handle(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return _echo(request)

    transport = httpx.MockTransport(handle)
    async with make_client("https://gate.example", transport=transport) as client:
        await request(client, "GET", "/keys", idempotent=True)
    async with make_client(
        "https://gate.example", transport=transport, timeout=httpx.Timeout(2.0)
    ) as client:
        await request(client, "GET", "/keys", idempotent=True)
    assert timeouts == [
        {"connect": 5.0, "read": 15.0, "write": 15.0, "pool": 15.0},
        {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0},
    ]


async def test_the_client_sends_only_where_the_outbound_rule_allows() -> None:
    reached: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        reached.append(str(request.url))
        return _echo(request)

    transport = httpx.MockTransport(handle)
    async with make_client(
        "https://gate.example", transport=transport, allowed_origins=["https://login.example"]
    ) as client:
        await client.get("/keys")
        await client.get("https://login.example/token")
        for elsewhere in ("https://evil.example/x", "http://gate.example/x", "ftp://gate.example"):
            with pytest.raises(OutboundRefusedError):
                await client.get(elsewhere)
    assert reached == ["https://gate.example/keys", "https://login.example/token"]


def test_clients_share_one_verifying_tls_context_unless_they_have_a_ca_bundle(
    self_signed: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Making a context loads the whole trust store (tens of ms on the event loop): one for
    the process, not one per account; an account's own CA bundle still gets its own."""
    made: list[ssl.SSLContext] = []
    create = ssl.create_default_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        context = create(*args, **kwargs)  # type: ignore[arg-type]
        made.append(context)
        return context

    monkeypatch.setattr(ssl, "create_default_context", counting)
    default_tls.cache_clear()
    try:
        for _ in range(3):
            make_client("https://gate.example")
        assert len(made) == 1
        shared = made[0]
        assert default_tls() is shared
        assert shared.verify_mode is ssl.CERT_REQUIRED and shared.check_hostname
        assert shared.cert_store_stats()["x509_ca"] > 0, "the system's CAs, loaded once"
        make_client("https://gate.example", ca_bundle=str(self_signed[0]))
        make_client("https://gate.example", ca_bundle=str(self_signed[0]))
        assert len(made) == 3 and made[1] is not shared and made[2] is not made[1]
    finally:
        default_tls.cache_clear()
