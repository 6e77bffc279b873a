"""Numbers that used to crash: each one now reads as "no time known", "far future" or a message.

One mechanism per layer: `core.instants` turns every outside time into an aware UTC datetime in
the calendar or None (decoder and adapters alike); `token_assess` compares differences, never a
datetime plus a leeway; `timefmt` is total near the calendar's ends; the CLI reads its arguments
and files with bounds and answers with sentences.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from tests.tokens import b64url
from tests.unit.test_edge_fuzz import local_zone
from tokendeck.core import instants, timefmt
from tokendeck.core.clock import ManualClock
from tokendeck.core.models import AccountSettings, Platform
from tokendeck.core.platform_types import Session
from tokendeck.core.secret import Secret
from tokendeck.core.token_assess import AssessPolicy, TokenStatus, assess
from tokendeck.core.token_decode import TokenFormatError, inspect_token
from tokendeck.core.token_report import to_dict, to_text, token_verdict
from tokendeck.platforms.common import epoch_any, expires_after, iso_any, jwt_expiry
from tokendeck.platforms.registry import make_adapter

NOW = datetime(2026, 6, 1, tzinfo=UTC)
LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z
DIGITS_309 = "9" * 309


def _token(payload: str, header: str = '{"alg":"HS256"}') -> str:
    return f"{b64url(header.encode())}.{b64url(payload.encode('utf-8', 'surrogatepass'))}.c2ln"


def _report(token: str, leeway: timedelta = timedelta(0)) -> tuple[dict[str, Any], str]:
    inspection = inspect_token(token)
    assessment = assess(inspection, NOW, AssessPolicy(leeway=leeway))
    report = to_dict(inspection, assessment, NOW)
    json.dumps(report)
    token_verdict(inspection, assessment)
    text = to_text(report, inspection, NOW)
    text.encode("utf-8")
    return report, text


@pytest.fixture
def east_of_utc() -> Iterator[None]:
    with local_zone("Asia/Tokyo"):
        yield


# --- the decoder --------------------------------------------------------------------------------


def test_a_309_digit_exp_is_an_invalid_claim_not_an_overflow() -> None:
    inspection = inspect_token(_token(f'{{"exp": {DIGITS_309}, "nbf": -{DIGITS_309}}}'))
    assert inspection.expires_at is None and inspection.not_before is None
    assert [p.code for p in inspection.problems].count("invalid_claim") == 2
    report, _ = _report(_token(f'{{"exp": {DIGITS_309}}}'))
    assert report["verdict"] == "invalid"


@pytest.mark.parametrize("value", ["1e400", "-1e400", "NaN", "Infinity", "1e300", "-1e300"])
def test_non_finite_and_huge_floats_are_invalid_claims(value: str) -> None:
    inspection = inspect_token(_token(f'{{"exp": {value}}}'))
    assert inspection.expires_at is None
    assert "invalid_claim" in [p.code for p in inspection.problems]


@pytest.mark.usefixtures("east_of_utc")
@pytest.mark.parametrize(
    "leeway", [timedelta(0), timedelta(seconds=1), timedelta(days=36600), timedelta.max]
)
def test_the_last_second_of_9999_displays_east_of_utc_with_any_leeway(leeway: timedelta) -> None:
    report, text = _report(_token(f'{{"iat": 1700000000, "exp": {LAST_SECOND}}}'), leeway)
    assert report["expires_at"] == "9999-12-31T23:59:59Z"
    assert report["status"] == "valid"
    assert timefmt.FAR_FUTURE in text
    assert "expires in 7973 years" in text


def test_the_first_second_of_year_1_is_expired_whatever_the_leeway_short_of_max() -> None:
    report, _ = _report(_token('{"exp": -62135596800}'), timedelta(days=36600))
    assert report["expires_at"] == "0001-01-01T00:00:00Z"
    assert report["status"] == "expired"
    report, _ = _report(_token('{"exp": -62135596800}'), timedelta.max)
    assert report["status"] != "expired"


@pytest.mark.usefixtures("east_of_utc")
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2024-01-01T00:00:00+23:59", "2023-12-31T00:01:00Z"),
        ("2024-01-01T00:00:00-23:59", "2024-01-01T23:59:00Z"),
        ("9999-12-31T00:00:00+23:59", "9999-12-30T00:01:00Z"),
        ("9999-12-31T23:59:59-23:59", None),  # after 9999 in UTC: not a time
        ("0001-01-01T00:00:00+23:59", None),  # before year 1 in UTC: not a time
    ],
)
def test_updated_at_at_any_offset(value: str, shown: str | None) -> None:
    report, _ = _report(_token(json.dumps({"updated_at": value})))
    times = {t["claim"]: t["utc"] for t in report["times"]}
    assert times.get("updated_at") == shown
    if shown is None:
        assert "invalid_claim" in report["problems"]


def test_a_lone_surrogate_in_a_claim_is_replaced_and_flagged() -> None:
    token = _token('{"sub": "a\\ud800b", "\\udfff": "x", "exp": 2000000000}', '{"alg":"HS256"}')
    inspection = inspect_token(token)
    assert inspection.payload is not None
    assert inspection.payload["sub"] == "a\ufffdb" and "\ufffd" in inspection.payload
    assert "invalid_unicode" in [p.code for p in inspection.problems]
    _, text = _report(token)
    assert "a\ufffdb" in text


@pytest.mark.parametrize("where", ["header", "payload", "wrapper"])
def test_deep_nesting_is_a_token_format_error(where: str) -> None:
    deep = "[" * 5000 + "]" * 5000
    if where == "header":
        token = _token("{}", f'{{"alg":"HS256","x":{deep}}}')
    elif where == "payload":
        token = _token(f'{{"x":{deep}}}')
    else:
        token = f'{{"x": {deep}, "access_token": "{_token("{}")}"}}'
    with pytest.raises(TokenFormatError) as caught:
        inspect_token(token)
    assert caught.value.code == "too_deep"


def test_nesting_within_the_bound_is_shown() -> None:
    report, text = _report(_token('{"x":' + "[" * 60 + "]" * 60 + "}"))
    assert report["payload"] is not None
    assert "Payload:" in text


# --- display ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("east_of_utc")
def test_timefmt_at_the_calendar_ends() -> None:
    far_east = timezone(timedelta(hours=23, minutes=59))
    far_west = timezone(-timedelta(hours=23, minutes=59))
    latest = datetime.max.replace(tzinfo=UTC)
    earliest_east = datetime.min.replace(tzinfo=far_east)
    assert timefmt.local_text(latest) == timefmt.FAR_FUTURE
    assert timefmt.utc_iso(latest) == "9999-12-31T23:59:59Z"
    assert timefmt.utc_iso(earliest_east) == "0001-01-01T00:00:00Z"
    assert timefmt.utc_iso(datetime.max.replace(tzinfo=far_west)) == "9999-12-31T23:59:59Z"
    assert timefmt.relative_phrase(latest, earliest_east, future="expires", past="expired") == (
        "expires in 9999 years"
    )
    assert timefmt.countdown(earliest_east, latest).endswith("years ago")
    assert timefmt.format_duration(timedelta.max) == "2737907 years"
    assert timefmt.format_duration(timedelta.min) == "2737907 years"
    assert timefmt.format_duration(timedelta(hours=3, minutes=12)) == "3 h 12 min"


def test_assessment_compares_differences_so_no_leeway_overflows() -> None:
    inspection = inspect_token(_token(f'{{"nbf": {LAST_SECOND}, "iat": {LAST_SECOND}}}'))
    for leeway in (timedelta(0), timedelta.max, timedelta.min):
        assessment = assess(inspection, NOW, AssessPolicy(leeway=leeway))
        assert assessment.status in (TokenStatus.NOT_YET_VALID, TokenStatus.NO_EXPIRY)
    at_end = datetime.max.replace(tzinfo=UTC)
    assert assess(inspection, at_end, AssessPolicy(leeway=timedelta.max)).status


# --- the adapters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        int(DIGITS_309),
        -int(DIGITS_309),
        10**400,  # old: OverflowError from value / 1000
        float("inf"),
        float("nan"),
        -1e300,
        1e300,
        10**20,
        10**16,  # milliseconds: the year 318857
        -1,
        True,
        "1700000000",
        None,
    ],
)
def test_epoch_any_out_of_range_is_no_time(value: object) -> None:
    assert epoch_any(value) is None


def test_epoch_any_in_range_seconds_and_milliseconds() -> None:
    assert epoch_any(1_700_000_000) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert epoch_any(1_700_000_000_000) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert epoch_any(1_700_000_000.5) == datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9500-01-01T00:00:00Z", "x" * 500],
)
def test_iso_any_out_of_range_is_no_time(value: str) -> None:
    assert iso_any(value) is None


def test_iso_any_normalises_any_offset_to_utc() -> None:
    at = iso_any("2024-01-01T00:00:00+23:59")
    assert at == datetime(2023, 12, 31, 0, 1, tzinfo=UTC) and at.tzinfo is UTC


@pytest.mark.parametrize("value", [1e12, float("nan"), float("inf"), -5, 10**400, "1e3", True])
def test_expires_in_out_of_range_is_no_expiry(value: object) -> None:
    assert expires_after(NOW, value) is None


def test_expires_in_as_number_or_digit_string() -> None:
    assert expires_after(NOW, 3600) == NOW + timedelta(hours=1)
    assert expires_after(NOW, 3600.5) == NOW + timedelta(seconds=3600.5)
    assert expires_after(NOW, "3600") == NOW + timedelta(hours=1)


def test_jwt_expiry_outside_the_platform_window_is_no_expiry() -> None:
    assert jwt_expiry(Secret(_token(f'{{"exp": {LAST_SECOND}}}'))) is None
    assert jwt_expiry(Secret(_token(f'{{"exp": {DIGITS_309}}}'))) is None
    assert jwt_expiry(Secret(_token('{"exp": 1800000000}'))) == datetime.fromtimestamp(
        1_800_000_000, UTC
    )


def _adapter(platform: Platform, answer: Any) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(200, json={"token_endpoint": "https://gate.example/token"})
        return httpx.Response(
            200, content=answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        )

    return make_adapter(
        platform,
        "https://gate.example",
        AccountSettings(),
        ManualClock(NOW),
        httpx.MockTransport(handle),
    )


@pytest.mark.parametrize("expires_in", ["1e12", "NaN", "Infinity", "-1", DIGITS_309, '"soon"'])
async def test_oauth_expires_in_out_of_range_is_no_expiry(expires_in: str) -> None:
    body = f'{{"access_token": "opaque-token-value", "expires_in": {expires_in}}}'.encode()
    adapter = _adapter(Platform.OAUTH2, body)
    try:
        session = await adapter.sign_in({"client_id": "c"}, {"client_secret": Secret("tdtest-s")})
    finally:
        await adapter.aclose()
    assert session.expires_at is None


async def test_oauth_expires_in_in_range() -> None:
    adapter = _adapter(Platform.OAUTH2, {"access_token": "opaque", "expires_in": 60})
    try:
        session = await adapter.sign_in({"client_id": "c"}, {"client_secret": Secret("tdtest-s")})
    finally:
        await adapter.aclose()
    assert session.expires_at == NOW + timedelta(seconds=60)


@pytest.mark.parametrize(
    ("platform", "body"),
    [
        (
            Platform.DATALOOP,
            f'[{{"id": "k1", "createdAt": -{DIGITS_309}, "expiresAt": {DIGITS_309}}},'
            '{"id": "k2", "createdAt": NaN, "expiresAt": 1e400}]',
        ),
        (
            Platform.HAUT,
            '{"results": [{"id": 1, "name": "a", "expiration_time": "9999-12-31T23:59:59-23:59"},'
            '{"id": 2, "name": "b", "expiration_time": "0001-01-01T00:00:00+23:59"}], "next": null}',
        ),
        (
            Platform.TRIFACTA,
            '{"data": [{"tokenId": "t", "createdAt": "0001-01-01T00:00:00+23:59",'
            '"expiredAt": "9999-12-31T23:59:59-23:59", "lastUsed": "+99999-01-01"}]}',
        ),
    ],
)
async def test_key_lists_with_out_of_range_times_have_no_expiry(
    platform: Platform, body: str
) -> None:
    adapter = _adapter(platform, body.encode())
    try:
        keys = await adapter.list_keys(Session(Secret("tdtest-token")))
    finally:
        await adapter.aclose()
    assert keys
    assert all(k.expires_at is None and k.created_at is None for k in keys)


def test_lifetime_bounds() -> None:
    assert instants.lifetime(instants.MAX_LIFETIME_SECONDS) is not None
    assert instants.lifetime(instants.MAX_LIFETIME_SECONDS + 1) is None
    assert instants.shift(datetime.max.replace(tzinfo=UTC), timedelta(seconds=1)) is None
