"""Decoding never raises anything but TokenFormatError, whatever the input (hypothesis).

Set TOKENDECK_FUZZ_EXAMPLES for a long run (the closing notes report one)."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokendeck.core.token_assess import assess
from tokendeck.core.token_decode import TokenFormatError, inspect_token
from tokendeck.core.token_report import to_dict, to_text
from tokendeck.core.token_verify import KeyFormatError, load_any, verify

EXAMPLES = int(os.environ.get("TOKENDECK_FUZZ_EXAMPLES", "300"))
NOW = datetime(2026, 6, 1, tzinfo=UTC)
fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
claim_names = st.sampled_from(
    ["exp", "nbf", "iat", "auth_time", "updated_at", "iss", "aud", "sub", "x_at"]
)
json_objects = st.dictionaries(claim_names | st.text(max_size=6), json_values, max_size=8)
segments = st.one_of(
    json_objects.map(lambda o: _b64(json.dumps(o).encode())),
    st.binary(max_size=40).map(_b64),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=.+/ ",
        max_size=30,
    ),
)
jwt_like = st.lists(segments, min_size=1, max_size=6).map(".".join)
prefixed = st.tuples(
    st.sampled_from(["", "Bearer ", "Authorization: Bearer ", '"', " \n"]), jwt_like
).map("".join)
anything = st.one_of(st.text(max_size=400), prefixed, jwt_like)


def _exercise(text: str) -> None:
    try:
        inspection = inspect_token(text)
    except TokenFormatError as exc:
        assert exc.code and str(exc)
        return
    assessment = assess(inspection, NOW)
    report = to_dict(inspection, assessment, NOW)
    json.dumps(report)
    to_text(report, inspection, NOW)
    try:
        keys = load_any("fuzz-secret")
    except KeyFormatError:  # pragma: no cover - a text secret always loads
        raise
    verify(inspection, keys)


@fuzz
@given(anything)
def test_decoding_any_text_raises_only_its_own_error(text: str) -> None:
    _exercise(text)


@fuzz
@given(st.tuples(json_objects, json_objects, st.binary(max_size=64)))
def test_structurally_valid_jwts_with_wild_claims(
    parts: tuple[dict[str, object], dict[str, object], bytes],
) -> None:
    header, payload, sig = parts
    header = {"alg": "HS256", **header}
    _exercise(
        f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}.{_b64(sig)}"
    )


@fuzz
@given(st.text(max_size=300))
def test_key_loading_raises_only_its_own_error(text: str) -> None:
    from tokendeck.core.token_verify import KeyKind, load_keys

    for kind in KeyKind:
        try:
            load_keys(kind, text)
        except KeyFormatError:
            pass
