"""Encord request signing with an Ed25519 key (shared/providers/encord.md), for the adapter.

v1: `Authorization: <public key hex>:<hex Ed25519 signature of SHA-256(body)>`.
v2: HTTP Message Signatures with the label `encord-sig` over `@method`, `@request-target`
(path + raw query) and `content-digest`. Pure functions of the key, the request and the time.

The sandbox verifies with its own code (sandbox/encord_verify.py), written from the platform's
documented rules and not from this module, so that it can catch a mistake made here.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tokendeck.core.secret import Secret

# SDK v0.1.145 back-dates `created` by 30 s; the server's window is unconfirmed (the sandbox
# accepts created within [now - 5 min, now + 1 min]).
CREATED_BACKDATE = 30


class EncordKeyError(ValueError):
    """The private key could not be used; the message never contains the key."""


def load_private_key(pem: Secret, passphrase: Secret | None = None) -> Ed25519PrivateKey:
    data = pem.reveal().strip().encode()
    password = passphrase.reveal().encode() if passphrase else None
    try:
        key = serialization.load_ssh_private_key(data, password=password)
    except ValueError as exc:
        text = str(exc).lower()
        if "password" in text or "encrypted" in text or "decrypt" in text or "passphrase" in text:
            raise EncordKeyError(
                "The key is protected by a passphrase (or the passphrase is wrong)."
            ) from None
        raise EncordKeyError(
            "Not an OpenSSH private key (expected -----BEGIN OPENSSH PRIVATE KEY-----)."
        ) from None
    except TypeError as exc:
        if "password" in str(exc).lower() or "encrypted" in str(exc).lower():
            raise EncordKeyError("The key is protected by a passphrase: enter it too.") from None
        raise EncordKeyError(f"The key cannot be used ({type(exc).__name__}).") from None
    except UnsupportedAlgorithm as exc:
        raise EncordKeyError(f"The key cannot be used ({type(exc).__name__}).") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise EncordKeyError(
            f"Encord needs an Ed25519 key; this is a {type(key).__name__.replace('PrivateKey', '')} key."
        )
    return key


def unencrypted_openssh(pem: Secret, passphrase: Secret | None = None) -> Secret:
    """The key as the SDK reads it from ENCORD_SSH_KEY: OpenSSH format with no passphrase (the
    SDK reads none from the environment). Unchanged when it has none; EncordKeyError when it
    cannot be read."""
    if not passphrase or not passphrase.reveal():
        load_private_key(pem)  # checks it is an Ed25519 key that needs no passphrase
        return Secret(pem.reveal().strip() + "\n")
    key = load_private_key(pem, passphrase)
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    return Secret(data.decode())


def public_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def v1_authorization(key: Ed25519PrivateKey, body: bytes) -> str:
    signature = key.sign(hashlib.sha256(body).digest())
    return f"{public_hex(key)}:{signature.hex()}"


def content_digest(body: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def _params(created: int, keyid: str) -> str:
    return f'("@method" "@request-target" "content-digest");created={created};keyid="{keyid}";alg="ed25519"'


def signature_base(method: str, target: str, digest: str, params: str) -> bytes:
    return "\n".join(
        (
            f'"@method": {method.upper()}',
            f'"@request-target": {target}',
            f'"content-digest": {digest}',
            f'"@signature-params": {params}',
        )
    ).encode()


def v2_headers(
    key: Ed25519PrivateKey, method: str, target: str, body: bytes, now: int
) -> dict[str, str]:
    created = now - CREATED_BACKDATE
    digest = content_digest(body)
    params = _params(created, public_hex(key))
    signature = key.sign(signature_base(method, target, digest, params))
    return {
        "Content-Digest": digest,
        "Signature-Input": f"encord-sig={params}",
        "Signature": f"encord-sig=:{base64.b64encode(signature).decode()}:",
    }
