"""The sandbox checks Encord signatures with its own code: a signing mistake in the adapter is
refused by it, as Encord would refuse it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tokendeck.platforms import encord_signing
from tokendeck.sandbox.encord_verify import check_v1, check_v2, key_id

NOW = 1_700_000_000
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
TARGET = "/v2/public/projects?includeOrgAccess=False"


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def test_the_adapters_signatures_are_accepted() -> None:
    headers = encord_signing.v2_headers(KEY, "GET", TARGET, b"", NOW)
    assert check_v2(_lower(headers), "GET", TARGET, b"", NOW) == key_id(KEY)
    assert key_id(KEY) == encord_signing.public_hex(KEY)
    body = b'{"query_type": "apikey"}'
    assert check_v1(encord_signing.v1_authorization(KEY, body), body) == key_id(KEY)


def test_a_signature_base_built_by_the_documented_rule_verifies() -> None:
    """The example of shared/providers/encord.md, signed by hand, not by the adapter."""
    keyid = key_id(KEY)
    params = (
        f'("@method" "@request-target" "content-digest");created={NOW - 30};'
        f'keyid="{keyid}";alg="ed25519"'
    )
    digest = "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"
    assert digest == "sha-256=:" + base64.b64encode(hashlib.sha256(b"").digest()).decode() + ":"
    base = (
        '"@method": GET\n'
        '"@request-target": /v2/public/user/bearer-token\n'
        f'"content-digest": {digest}\n'
        f'"@signature-params": {params}'
    )
    headers = {
        "content-digest": digest,
        "signature-input": f"encord-sig={params}",
        "signature": "encord-sig=:" + base64.b64encode(KEY.sign(base.encode())).decode() + ":",
    }
    assert check_v2(headers, "GET", "/v2/public/user/bearer-token", b"", NOW) == keyid


def _mistaken_base(method: str, target: str, digest: str, params: str) -> bytes:
    lines = (
        f'"@request-target": {target}',  # the documented order is @method first
        f'"@method": {method}',
        f'"content-digest": {digest}',
        f'"@signature-params": {params}',
    )
    return "\n".join(lines).encode()


MISTAKES: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "components in another order": lambda mp: mp.setattr(
        encord_signing, "signature_base", _mistaken_base
    ),
    "a trailing newline": lambda mp: mp.setattr(
        encord_signing,
        "signature_base",
        lambda *a, real=encord_signing.signature_base: real(*a) + b"\n",
    ),
    "the digest of another body": lambda mp: mp.setattr(
        encord_signing, "content_digest", lambda body: "sha-256=:AAAA:"
    ),
    "created far in the past": lambda mp: mp.setattr(encord_signing, "CREATED_BACKDATE", 3600),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_signing_mistake_in_the_adapter_is_refused(
    mistake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    MISTAKES[mistake](monkeypatch)
    headers = encord_signing.v2_headers(KEY, "GET", TARGET, b"", NOW)
    assert check_v2(_lower(headers), "GET", TARGET, b"", NOW) is None


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("method", "POST"),
        ("target", "/v2/public/projects"),
        ("body", b"{}"),
        ("label", "other-sig"),
    ],
)
def test_a_signature_covers_exactly_the_request_sent(change: str, value: object) -> None:
    headers = _lower(encord_signing.v2_headers(KEY, "GET", TARGET, b"", NOW))
    method, target, body = "GET", TARGET, b""
    if change == "method":
        method = str(value)
    elif change == "target":
        target = str(value)
    elif change == "body":
        body = bytes(value)  # type: ignore[call-overload]
    else:
        headers = {k: v.replace("encord-sig", str(value)) for k, v in headers.items()}
    assert check_v2(headers, method, target, body, NOW) is None


def test_v1_refuses_another_body_and_malformed_headers() -> None:
    header = encord_signing.v1_authorization(KEY, b"one")
    assert check_v1(header, b"two") is None
    for bad in ("", ":", "zz:zz", header.upper(), header + "00", "Bearer " + header):
        assert check_v1(bad, b"one") is None
