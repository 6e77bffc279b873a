"""Every edge function is total (hypothesis), with the inputs a hostile review used.

Decoding -> assessment (any leeway, up to `timedelta.max`) -> report (`to_dict`, `to_text`, and
`json.dumps` of it) -> the verdict (`token_verdict`, `urgency`) -> every `timefmt` function, for
tokens whose claims hold extreme numbers (huge ints, 309 digits, inf, NaN, negative, the last
second of 9999), ISO times at every UTC offset from -23:59 to +23:59, lone surrogates, control
characters and deep nesting. Only the documented exceptions are allowed: `TokenFormatError` from
decoding, `KeyFormatError` from key loading.

Set TOKENDECK_FUZZ_EXAMPLES for a long run, e.g. a million examples of each property:

    TOKENDECK_FUZZ_EXAMPLES=1000000 scripts/desktop-session .venv/bin/python -m pytest \\
        tests/unit/test_edge_fuzz.py -q -p no:randomly --hypothesis-show-statistics
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokendeck.core import instants, timefmt
from tokendeck.core.token_assess import AssessPolicy, assess
from tokendeck.core.token_decode import TokenFormatError, inspect_token
from tokendeck.core.token_report import to_dict, to_text, token_verdict
from tokendeck.core.token_verify import KeyFormatError, KeyKind, load_key_file, load_keys
from tokendeck.core.verdict import urgency
from tokendeck.platforms.common import epoch_any, expires_after, iso_any

EXAMPLES = int(os.environ.get("TOKENDECK_FUZZ_EXAMPLES", "300"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None if EXAMPLES > 10_000 else settings.default.database,
)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
# East and west of UTC, the extremes (UTC+14, UTC-12) and UTC itself.
ZONES = ("Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati", "Etc/GMT+12", "UTC")


@contextmanager
def local_zone(name: str) -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- strategies ---------------------------------------------------------------------------------

extreme_ints = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from(
        [
            253_402_300_799,  # 9999-12-31T23:59:59Z
            253_402_300_800,
            -62_135_596_800,  # 0001-01-01T00:00:00Z
            -62_135_596_801,
            10**308,
            int("9" * 309),
            -(10**309),
            2**63,
            -(2**63),
            2**64,
            10_000_000_001,  # milliseconds for the adapters
            0,
            -1,
        ]
    ),
)
extreme_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [1e308, -1e308, 1e12, 253_402_300_799.9999999, -62_135_596_800.5, 5e-324, float("nan")]
    ),
)
numbers = st.one_of(extreme_ints, extreme_floats)
offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware_datetimes = st.datetimes(
    min_value=datetime.min, max_value=datetime.max, timezones=offsets | st.just(UTC)
)
any_datetimes = aware_datetimes | st.datetimes(min_value=datetime.min, max_value=datetime.max)
iso_texts = st.one_of(
    aware_datetimes.map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+23:59",
            "2024-01-01T00:00:00+23:59",
            "9999-12-31T23:59:59.999999Z",
            "0001-01-01",
            "2024-02-30T00:00:00Z",
            "Z",
            "",
        ]
    ),
)
hostile_chars = st.sampled_from(
    ["\ud800", "\udfff", "\udc80", "\x00", "\x1b[2J", "\x7f", "\x9b", "\u202e", "\ufeff", "\n"]
)
hostile_text = st.lists(st.text(max_size=6) | hostile_chars, max_size=6).map("".join)
nesting = st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n)
leeways = st.one_of(
    st.sampled_from(
        [
            timedelta(0),
            timedelta(seconds=1),
            timedelta(days=1),
            timedelta(days=36600),
            timedelta.max,
            timedelta.min,
            timedelta(seconds=-5),
        ]
    ),
    st.timedeltas(),
)


def _raw(value: Any) -> str:
    """JSON text of a value; lone surrogates are written as \\uXXXX escapes."""
    return json.dumps(value, ensure_ascii=True)


claim_values = st.one_of(
    numbers.map(_raw),
    iso_texts.map(_raw),
    hostile_text.map(_raw),
    nesting,
    st.sampled_from(["true", "null", "[]", "{}", '"', "NaN", "-Infinity", "1e400", "-1e400"]),
)
claim_names = st.sampled_from(
    ["exp", "nbf", "iat", "auth_time", "updated_at", "iss", "sub", "aud", "x_at", "\ud800"]
)


@st.composite
def payload_texts(draw: st.DrawFn) -> str:
    claims = draw(st.dictionaries(claim_names | hostile_text, claim_values, max_size=7))
    return "{" + ",".join(f"{_raw(name)}:{value}" for name, value in claims.items()) + "}"


@st.composite
def header_texts(draw: st.DrawFn) -> str:
    header: dict[str, str] = {
        "alg": _raw(draw(st.sampled_from(["HS256", "RS256", "none", "NONE", ""]) | hostile_text))
    }
    if draw(st.booleans()):
        header["crit"] = draw(
            st.sampled_from(['["b64"]', "[]", '"b64"', '["alg"]', "[1]", '["x","x"]', "null"])
            | nesting
        )
        header["b64"] = "false"
    if draw(st.booleans()):
        header["kid"] = draw(claim_values)
    return "{" + ",".join(f'"{k}":{v}' for k, v in header.items()) + "}"


tokens = st.one_of(
    st.tuples(header_texts(), payload_texts(), st.binary(max_size=32)).map(
        lambda p: (
            f"{_b64(p[0].encode('utf-8', 'surrogatepass'))}."
            f"{_b64(p[1].encode('utf-8', 'surrogatepass'))}.{_b64(p[2])}"
        )
    ),
    hostile_text,
    st.text(max_size=200),
)


# --- properties ---------------------------------------------------------------------------------


def _chain(token: str, now: datetime, leeway: timedelta) -> None:
    try:
        inspection = inspect_token(token)
    except TokenFormatError as exc:
        assert exc.code and str(exc)
        return
    assessment = assess(inspection, now, AssessPolicy(leeway=leeway))
    report = to_dict(inspection, assessment, now)
    json.dumps(report)
    json.dumps(report, indent=2, ensure_ascii=False).encode("utf-8")
    to_text(report, inspection, now).encode("utf-8")
    verdict = token_verdict(inspection, assessment)
    urgency(verdict)
    assert verdict.reason.encode("utf-8")
    for claim in inspection.time_claims:
        assert claim.at.utcoffset() == timedelta(0), "every decoded time is UTC"
        _display(claim.at, now)


def _display(at: datetime, now: datetime) -> None:
    timefmt.local_text(at).encode("utf-8")
    timefmt.utc_iso(at).encode("utf-8")
    timefmt.relative_phrase(at, now, future="expires", past="expired")
    timefmt.countdown(at, now)


@fuzz
@given(tokens, st.sampled_from([NOW]) | aware_datetimes, leeways)
def test_decode_assess_report_verdict_is_total(
    token: str, now: datetime, leeway: timedelta
) -> None:
    _chain(token, now, leeway)


@pytest.mark.parametrize("zone", ZONES)
@fuzz
@given(any_datetimes, any_datetimes, st.integers(min_value=-3, max_value=5))
def test_timefmt_is_total_near_the_calendar_ends_in_every_zone(
    zone: str, at: datetime, now: datetime, parts: int
) -> None:
    with local_zone(zone):
        local = timefmt.local_text(at)
    assert local
    iso = timefmt.utc_iso(at)
    assert iso.endswith("Z") and len(iso) == 20
    _display(at, now)
    timefmt.format_duration(timedelta.max, parts=parts)
    timefmt.format_duration(timedelta.min, parts=parts)


@fuzz
@given(st.one_of(numbers, iso_texts, hostile_text, st.none(), st.booleans()), aware_datetimes)
def test_instants_and_adapter_readers_are_total(value: object, now: datetime) -> None:
    for parsed in (instants.from_epoch(value), instants.from_iso(value)):
        assert parsed is None or parsed.utcoffset() == timedelta(0)
    low, high = instants.PLATFORM_WINDOW
    for read in (epoch_any(value), iso_any(value), expires_after(now, value)):
        assert read is None or low <= read <= high
    instants.lifetime(value)


@fuzz
@given(st.one_of(hostile_text, st.text(max_size=300), nesting))
def test_key_loading_raises_only_its_own_error(text: str) -> None:
    for kind in KeyKind:
        try:
            load_keys(kind, text)
        except KeyFormatError:
            pass


@fuzz
@given(
    st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=300).map(lambda b: b"\x30" + b),
        st.binary(max_size=300).map(lambda b: b"\x30\x82\x01\x22" + b),
        hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_key_files_raise_only_their_own_error(raw: bytes) -> None:
    try:
        load_key_file(raw)
    except KeyFormatError:
        pass


@fuzz
@given(
    st.lists(
        hostile_text
        | tokens
        | st.sampled_from(["password=", "Bearer ", "://", "-----BEGIN PRIVATE KEY-----", "eyJ"]),
        max_size=8,
    ).map("".join)
)
def test_redaction_is_total(text: str) -> None:
    from tokendeck.core.redaction import redact

    assert isinstance(redact(text), str)
