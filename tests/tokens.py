"""Test tokens, generated fresh in each test run (no real credentials anywhere)."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(claims: dict[str, Any], secret: str | None = None, **headers: Any) -> tuple[str, str]:
    key = secret or secrets.token_urlsafe(32)
    return jwt.encode(claims, key, algorithm="HS256", headers=headers or None), key


def claims(lifetime: int = 3600, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": "https://issuer.test/",
        "sub": "user-1",
        "aud": "tokendeck",
        "iat": now,
        "exp": now + lifetime,
        **extra,
    }


def rsa_pair() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key, pem


def ec_pair() -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key, pem


def ed_pair() -> tuple[ed25519.Ed25519PrivateKey, str]:
    key = ed25519.Ed25519PrivateKey.generate()
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key, pem


def unsigned(payload: dict[str, Any]) -> str:
    return f"{b64url(json.dumps({'alg': 'none'}).encode())}.{b64url(json.dumps(payload).encode())}."


def trifacta_token() -> tuple[str, str, str]:
    token_id = "bab908f7-dcc2-4962-85bd-c1e96d0cacbd"
    secret = secrets.token_hex(32)
    value = base64.b64encode(json.dumps({"tokenId": token_id, "secret": secret}).encode()).decode()
    return value, token_id, secret
