"""How the sandbox's Encord checks a request's signature: written from the platform's documented
rules (shared/providers/encord.md, the SDK's `encord/http/v2/request_signer.py`), not from the
adapter's signer, so a signing mistake in TokenDeck fails here as it would on Encord.

v1: `Authorization: <public key hex>:<signature hex>`, an Ed25519 signature of SHA-256(body).
v2: RFC 9421 HTTP Message Signatures labelled `encord-sig`: `Signature-Input` lists the covered
components ("@method" "@request-target" "content-digest") with `created`, `keyid` and `alg`;
the signature base is one line per component, `"<name>": <value>`, then `"@signature-params":
<the inner list and its parameters as sent>`, joined by LF with no trailing newline.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

LABEL = "encord-sig"
COVERED = ("@method", "@request-target", "content-digest")
# The accepted skew of `created` is unconfirmed for the real service (see encord.md).
NOT_BEFORE_SECONDS = 300
NOT_AFTER_SECONDS = 60

# encord-sig=("a" "b" "c");created=1;keyid="hex";alg="ed25519"   (RFC 9421 §4.1, RFC 8941)
_INPUT = re.compile(
    r'^(?P<label>[a-z][a-z0-9_.*-]*)=(?P<inner>\((?:"[^"]*"(?: "[^"]*")*)?\)(?:;[a-z][a-z0-9_.*-]*=(?:"[^"\\]*"|-?\d+))*)$'
)
_PARAM = re.compile(r';([a-z][a-z0-9_.*-]*)=("[^"\\]*"|-?\d+)')
_SIGNATURE = re.compile(r"^(?P<label>[a-z][a-z0-9_.*-]*)=:(?P<b64>[A-Za-z0-9+/]*={0,2}):$")


def key_id(private_key: Ed25519PrivateKey) -> str:
    """Encord's id of a key: the hex of its raw 32-byte public key."""
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return raw.hex()


def _public_key(hex_key: str) -> Ed25519PublicKey | None:
    if not re.fullmatch(r"[0-9a-f]{64}", hex_key):
        return None
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(hex_key))


def check_v1(authorization: str, body: bytes) -> str | None:
    """The signer's public key (hex) when the v1 header signs this body, else None."""
    public_hex, _, signature_hex = authorization.partition(":")
    key = _public_key(public_hex)
    if key is None or not re.fullmatch(r"[0-9a-f]{128}", signature_hex):
        return None
    try:
        key.verify(bytes.fromhex(signature_hex), hashlib.sha256(body).digest())
    except InvalidSignature:
        return None
    return public_hex


def check_v2(
    headers: Mapping[str, str], method: str, target: str, body: bytes, now: int
) -> str | None:
    """The signer's public key (hex) when the v2 signature covers this exact request and is
    fresh, else None. `headers` are keyed in lower case; `target` is the path and raw query."""
    expected_digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    digest = headers.get("content-digest", "")
    if digest != expected_digest:
        return None
    match = _INPUT.fullmatch(headers.get("signature-input", ""))
    signature = _SIGNATURE.fullmatch(headers.get("signature", ""))
    if match is None or signature is None:
        return None
    if match["label"] != LABEL or signature["label"] != LABEL:
        return None
    inner = match["inner"]
    components = tuple(re.findall(r'"([^"]*)"', inner[: inner.index(")") + 1]))
    params = {name: value.strip('"') for name, value in _PARAM.findall(inner)}
    if components != COVERED or params.get("alg") != "ed25519":
        return None
    try:
        created = int(params["created"])
    except (KeyError, ValueError):
        return None
    if not now - NOT_BEFORE_SECONDS <= created <= now + NOT_AFTER_SECONDS:
        return None
    key = _public_key(params.get("keyid", ""))
    if key is None:
        return None
    values = {"@method": method.upper(), "@request-target": target, "content-digest": digest}
    base = "\n".join(
        [f'"{name}": {values[name]}' for name in COVERED] + [f'"@signature-params": {inner}']
    )
    try:
        key.verify(base64.b64decode(signature["b64"], validate=True), base.encode())
    except (InvalidSignature, ValueError):
        return None
    return str(params["keyid"])
