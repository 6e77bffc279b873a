"""core.token_assess: where a decoded token stands at a given moment (the clock is always injected)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tokendeck.core.problems import Problem, Severity
from tokendeck.core.secret import Secret
from tokendeck.core.token_assess import (
    Assessment,
    AssessPolicy,
    TokenStatus,
    assess,
    kind_text,
)
from tokendeck.core.token_decode import Inspection, TimeClaim, TokenKind

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
INHERITED = Problem("from_decoder", "Found while decoding.", Severity.INFO)


def token(
    *,
    exp: datetime | None = None,
    nbf: datetime | None = None,
    iat: datetime | None = None,
    kind: TokenKind = TokenKind.JWS,
    payload: dict[str, Any] | None = None,
    problems: tuple[Problem, ...] = (),
) -> Inspection:
    """A decoded token with the given time claims (the decoder is not under test here)."""
    claims = [TimeClaim(n, at, True) for n, at in (("exp", exp), ("nbf", nbf), ("iat", iat)) if at]
    if payload is None:
        payload = {c.name: int(c.epoch) for c in claims}
    return Inspection(
        kind=kind,
        token=Secret("h.p.s"),
        header={"alg": "HS256"},
        payload=payload,
        time_claims=tuple(claims),
        problems=problems,
    )


def codes(assessment: Assessment) -> list[str]:
    return [p.code for p in assessment.problems]


def only(assessment: Assessment, code: str) -> Problem:
    found = [p for p in assessment.problems if p.code == code]
    assert len(found) == 1, codes(assessment)
    return found[0]


# --- exp ------------------------------------------------------------------------------------------


def test_a_token_well_within_its_life_is_valid_with_the_time_left() -> None:
    result = assess(token(iat=NOW - HOUR, exp=NOW + 2 * HOUR), NOW)
    assert result == Assessment(TokenStatus.VALID, 2 * HOUR, ())


def test_a_token_is_expired_at_the_very_instant_of_exp() -> None:
    result = assess(token(exp=NOW), NOW)
    assert result.status is TokenStatus.EXPIRED
    assert result.remaining == timedelta(0)
    expired = only(result, "expired")
    assert expired.severity is Severity.ERROR
    assert expired.message == "Expired 0 s ago."


def test_a_token_one_microsecond_before_exp_is_not_expired() -> None:
    result = assess(token(exp=NOW + timedelta(microseconds=1)), NOW)
    assert result.status is TokenStatus.EXPIRING_SOON
    assert "expired" not in codes(result)


def test_an_expired_token_says_how_long_ago_and_has_negative_time_left() -> None:
    result = assess(token(iat=NOW - 3 * HOUR, exp=NOW - 90 * MINUTE), NOW)
    assert result.status is TokenStatus.EXPIRED
    assert result.remaining == -90 * MINUTE
    assert result.problems == (Problem("expired", "Expired 1 h 30 min ago.", Severity.ERROR),)


def test_leeway_keeps_a_just_expired_token_alive_up_to_its_end() -> None:
    policy = AssessPolicy(leeway=5 * MINUTE)
    almost = assess(token(exp=NOW - 5 * MINUTE + SECOND), NOW, policy)
    assert almost.status is TokenStatus.EXPIRING_SOON
    assert almost.problems == ()
    assert almost.remaining == -5 * MINUTE + SECOND
    at_the_end = assess(token(exp=NOW - 5 * MINUTE), NOW, policy)
    assert at_the_end.status is TokenStatus.EXPIRED
    assert only(at_the_end, "expired").message == "Expired 5 min ago."


def test_a_negative_leeway_counts_as_none() -> None:
    policy = AssessPolicy(leeway=-HOUR)
    assert assess(token(exp=NOW + 30 * MINUTE), NOW, policy).status is TokenStatus.EXPIRING_SOON
    assert assess(token(exp=NOW), NOW, policy).status is TokenStatus.EXPIRED
    not_yet = assess(token(nbf=NOW + 30 * MINUTE, exp=NOW + DAY), NOW, policy)
    assert not_yet.status is TokenStatus.NOT_YET_VALID
    ahead = assess(token(iat=NOW + 30 * MINUTE, exp=NOW + DAY), NOW, policy)
    assert "iat_in_future" in codes(ahead)


def test_without_a_policy_the_defaults_apply() -> None:
    """Expiring soon within an hour, no leeway, lifetimes up to 366 days."""
    assert assess(token(exp=NOW + HOUR), NOW).status is TokenStatus.EXPIRING_SOON
    assert assess(token(exp=NOW + HOUR + SECOND), NOW).status is TokenStatus.VALID
    assert assess(token(exp=NOW - SECOND), NOW).status is TokenStatus.EXPIRED
    assert assess(token(exp=NOW + SECOND), NOW, None).status is TokenStatus.EXPIRING_SOON
    year = assess(token(iat=NOW, exp=NOW + 366 * DAY), NOW)
    assert year.problems == ()
    longer = assess(token(iat=NOW, exp=NOW + 366 * DAY + SECOND), NOW)
    assert codes(longer) == ["lifetime_too_long"]


def test_expiring_soon_is_inclusive_of_its_threshold() -> None:
    policy = AssessPolicy(expiring_soon=10 * MINUTE)
    assert assess(token(exp=NOW + 10 * MINUTE), NOW, policy).status is TokenStatus.EXPIRING_SOON
    later = token(exp=NOW + 10 * MINUTE + SECOND)
    assert assess(later, NOW, policy).status is TokenStatus.VALID
    assert assess(later, NOW, policy).remaining == 10 * MINUTE + SECOND


def test_a_token_without_exp_never_expires_by_itself() -> None:
    result = assess(token(iat=NOW - DAY), NOW)
    assert result.status is TokenStatus.NO_EXPIRY
    assert result.remaining is None
    assert result.problems == (
        Problem("no_exp", "No 'exp' claim: this token never expires by itself."),
    )
    assert result.problems[0].severity is Severity.WARNING


def test_no_exp_is_not_reported_when_the_payload_could_not_be_read() -> None:
    unreadable = Inspection(
        kind=TokenKind.JWS, token=Secret("h.p.s"), header={"alg": "HS256"}, payload=None
    )
    result = assess(unreadable, NOW)
    assert result == Assessment(TokenStatus.NO_EXPIRY, None, ())


def test_an_unsigned_jwt_is_assessed_by_its_times_too() -> None:
    result = assess(token(kind=TokenKind.UNSECURED_JWT, exp=NOW - SECOND), NOW)
    assert result.status is TokenStatus.EXPIRED


@pytest.mark.parametrize("kind", [TokenKind.JWE, TokenKind.TRIFACTA, TokenKind.OPAQUE])
def test_a_token_that_is_not_a_readable_jwt_has_an_unknown_status(kind: TokenKind) -> None:
    result = assess(token(kind=kind, exp=NOW - DAY, problems=(INHERITED,)), NOW)
    assert result == Assessment(TokenStatus.UNKNOWN, None, (INHERITED,))


def test_the_decoders_problems_come_first_and_are_kept() -> None:
    result = assess(token(exp=NOW - HOUR, problems=(INHERITED,)), NOW)
    assert codes(result) == ["from_decoder", "expired"]


# --- nbf ------------------------------------------------------------------------------------------


def test_a_token_before_its_nbf_is_not_yet_valid() -> None:
    result = assess(token(nbf=NOW + 10 * MINUTE, exp=NOW + DAY), NOW)
    assert result.status is TokenStatus.NOT_YET_VALID
    assert result.remaining == DAY
    assert result.problems == (
        Problem("not_yet_valid", "Not valid for another 10 min (nbf).", Severity.ERROR),
    )


def test_a_token_is_valid_from_the_very_instant_of_nbf() -> None:
    result = assess(token(nbf=NOW, exp=NOW + DAY), NOW)
    assert result.status is TokenStatus.VALID
    assert result.problems == ()
    early = assess(token(nbf=NOW + SECOND, exp=NOW + DAY), NOW)
    assert early.status is TokenStatus.NOT_YET_VALID


def test_leeway_accepts_an_nbf_up_to_the_leeway_ahead() -> None:
    policy = AssessPolicy(leeway=2 * MINUTE)
    within = assess(token(nbf=NOW + 2 * MINUTE, exp=NOW + DAY), NOW, policy)
    assert within.status is TokenStatus.VALID
    beyond = assess(token(nbf=NOW + 2 * MINUTE + SECOND, exp=NOW + DAY), NOW, policy)
    assert beyond.status is TokenStatus.NOT_YET_VALID
    assert only(beyond, "not_yet_valid").message == "Not valid for another 2 min 1 s (nbf)."


def test_not_yet_valid_wins_over_expired_and_over_no_expiry() -> None:
    both = assess(token(nbf=NOW + HOUR, exp=NOW - HOUR), NOW)
    assert both.status is TokenStatus.NOT_YET_VALID
    assert codes(both) == ["expired", "not_yet_valid", "exp_before_iat"]
    no_exp = assess(token(nbf=NOW + HOUR), NOW)
    assert no_exp.status is TokenStatus.NOT_YET_VALID
    assert codes(no_exp) == ["no_exp", "not_yet_valid"]


# --- iat ------------------------------------------------------------------------------------------


def test_an_iat_slightly_ahead_is_clock_skew_a_warning() -> None:
    result = assess(token(iat=NOW + 2 * MINUTE, exp=NOW + DAY), NOW)
    assert result.status is TokenStatus.VALID
    assert result.problems == (
        Problem(
            "clock_skew",
            "Issued 2 min in the future: this clock or the issuer's is off.",
            Severity.WARNING,
        ),
    )


def test_an_iat_up_to_five_minutes_ahead_is_still_clock_skew() -> None:
    at_limit = assess(token(iat=NOW + 5 * MINUTE, exp=NOW + DAY), NOW)
    assert codes(at_limit) == ["clock_skew"]
    beyond = assess(token(iat=NOW + 5 * MINUTE + SECOND, exp=NOW + DAY), NOW)
    assert beyond.problems == (
        Problem("iat_in_future", "Issued-at is 5 min 1 s in the future.", Severity.ERROR),
    )


def test_an_iat_now_or_within_the_leeway_is_fine() -> None:
    assert assess(token(iat=NOW, exp=NOW + DAY), NOW).problems == ()
    assert assess(token(iat=NOW + SECOND, exp=NOW + DAY), NOW).problems != ()
    policy = AssessPolicy(leeway=10 * MINUTE)
    assert assess(token(iat=NOW + 10 * MINUTE, exp=NOW + DAY), NOW, policy).problems == ()
    beyond = assess(token(iat=NOW + 10 * MINUTE + SECOND, exp=NOW + DAY), NOW, policy)
    assert codes(beyond) == ["iat_in_future"]
    assert only(beyond, "iat_in_future").message == "Issued-at is 10 min 1 s in the future."


def test_an_iat_in_the_future_does_not_change_the_status() -> None:
    result = assess(token(iat=NOW + HOUR, exp=NOW + 30 * MINUTE), NOW)
    assert result.status is TokenStatus.EXPIRING_SOON


# --- lifetime -------------------------------------------------------------------------------------


def test_a_lifetime_longer_than_the_policy_is_flagged_as_a_warning() -> None:
    policy = AssessPolicy(max_lifetime=DAY)
    result = assess(token(iat=NOW - HOUR, exp=NOW + DAY), NOW, policy)
    assert result.status is TokenStatus.VALID
    assert result.problems == (
        Problem(
            "lifetime_too_long",
            "Lifetime of 1 day 1 h is longer than 1 day.",
            Severity.WARNING,
        ),
    )


def test_a_lifetime_equal_to_the_policy_maximum_is_fine() -> None:
    policy = AssessPolicy(max_lifetime=DAY)
    assert assess(token(iat=NOW - HOUR, exp=NOW + 23 * HOUR), NOW, policy).problems == ()


def test_a_token_that_expires_before_or_as_it_is_issued_is_an_error() -> None:
    before = assess(token(iat=NOW - HOUR, exp=NOW - 2 * HOUR), NOW)
    assert Problem("exp_before_iat", "Expires before it was issued.", Severity.ERROR) in (
        before.problems
    )
    same = assess(token(iat=NOW + DAY, exp=NOW + DAY), NOW)
    assert "exp_before_iat" in codes(same)
    one_second = assess(token(iat=NOW + DAY - SECOND, exp=NOW + DAY), NOW)
    assert "exp_before_iat" not in codes(one_second)


def test_the_lifetime_runs_from_nbf_when_there_is_one() -> None:
    policy = AssessPolicy(max_lifetime=HOUR)
    result = assess(token(iat=NOW - DAY, nbf=NOW, exp=NOW + HOUR), NOW, policy)
    assert result.problems == ()


# --- kind text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (TokenKind.JWS, "JWT (signed)"),
        (TokenKind.UNSECURED_JWT, "JWT (unsigned, alg: none)"),
        (TokenKind.JWE, "JWE (encrypted)"),
        (TokenKind.TRIFACTA, "Trifacta access token"),
        (TokenKind.OPAQUE, "Opaque token"),
    ],
)
def test_each_kind_has_its_own_label(kind: TokenKind, text: str) -> None:
    assert kind_text(kind) == text
