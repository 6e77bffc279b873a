"""core.verdict: one place decides where a credential or a token stands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tokendeck.core.problems import Problem, Severity
from tokendeck.core.token_status import TokenStatus
from tokendeck.core.verdict import Renewal, State, judge_credential, judge_token, urgency

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
WEEK = timedelta(days=7)


@pytest.mark.parametrize(
    ("left", "renewal", "revoked", "state"),
    [
        (timedelta(days=30), Renewal.NONE, False, State.ACTIVE),
        (timedelta(days=7), Renewal.NONE, False, State.ACT_SOON),  # on the threshold: warn
        (timedelta(days=7, seconds=1), Renewal.NONE, False, State.ACTIVE),
        (timedelta(0), Renewal.NONE, False, State.EXPIRED),
        (timedelta(days=364), Renewal.NONE, True, State.REVOKED),
        (timedelta(minutes=4), Renewal.AUTOMATIC, False, State.RENEWS),
        (-timedelta(hours=3), Renewal.AUTOMATIC, False, State.RENEWS),
        (timedelta(minutes=4), Renewal.FAILING, False, State.ACT_SOON),
        (timedelta(days=20), Renewal.FAILING, False, State.ACT_SOON),
        (-timedelta(seconds=1), Renewal.FAILING, False, State.EXPIRED),
        (timedelta(minutes=4), Renewal.OFF, False, State.ACT_SOON),
        (timedelta(days=20), Renewal.OFF, False, State.ACTIVE),
    ],
)
def test_credential_states(left: timedelta, renewal: Renewal, revoked: bool, state: State) -> None:
    verdict = judge_credential(NOW + left, NOW, revoked=revoked, renewal=renewal, warn_within=WEEK)
    assert verdict.state is state
    assert verdict.reason


def test_orange_means_a_person_must_act() -> None:
    renewing = judge_credential(NOW + timedelta(minutes=1), NOW, renewal=Renewal.AUTOMATIC)
    assert renewing.tone == "ok" and not renewing.needs_person
    key = judge_credential(NOW + timedelta(hours=1), NOW, warn_within=WEEK)
    assert key.tone == "warn" and key.needs_person
    revoked = judge_credential(NOW + timedelta(days=300), NOW, revoked=True)
    assert not revoked.counts_down and revoked.tone == "muted" and not revoked.needs_person
    assert judge_credential(None, NOW).state is State.ACTIVE


def test_a_bad_signature_or_an_error_makes_a_token_invalid_whatever_its_times() -> None:
    later = NOW + timedelta(days=1)
    bad = judge_token(
        TokenStatus.VALID, later, (), signature_invalid=True, signature_message="does not match"
    )
    assert (bad.state, bad.reason) == (State.INVALID, "does not match")
    none = judge_token(
        TokenStatus.VALID, later, (Problem("alg_none", "Unsigned.", Severity.ERROR),)
    )
    assert none.state is State.INVALID
    expired = judge_token(
        TokenStatus.EXPIRED, NOW, (Problem("expired", "Expired.", Severity.ERROR),)
    )
    assert expired.state is State.EXPIRED
    assert judge_token(TokenStatus.NOT_YET_VALID, later, ()).state is State.INVALID
    assert judge_token(TokenStatus.VALID, later, ()).state is State.ACTIVE
    assert judge_token(TokenStatus.EXPIRING_SOON, later, ()).state is State.ACT_SOON
    assert judge_token(TokenStatus.UNKNOWN, None, ()).state is State.UNKNOWN
    warning_only = judge_token(
        TokenStatus.VALID, later, (Problem("lifetime_too_long", "Long.", Severity.WARNING),)
    )
    assert warning_only.state is State.ACTIVE


def test_urgency_orders_what_needs_a_person_first() -> None:
    verdicts = [
        judge_credential(NOW + timedelta(days=2), NOW, warn_within=WEEK),
        judge_credential(NOW - timedelta(days=1), NOW),
        judge_credential(NOW + timedelta(days=1), NOW, warn_within=WEEK),
        judge_credential(NOW + timedelta(minutes=1), NOW, renewal=Renewal.AUTOMATIC),
    ]
    ordered = sorted(verdicts, key=urgency)
    assert [v.state for v in ordered] == [
        State.EXPIRED,
        State.ACT_SOON,
        State.ACT_SOON,
        State.RENEWS,
    ]
    assert ordered[1].expires_at == NOW + timedelta(days=1)


def test_standing_who_renews_what() -> None:
    from tokendeck.core.models import (
        Account,
        AccountStatus,
        Credential,
        CredentialKind,
        CredentialRole,
        Platform,
    )
    from tokendeck.services.standing import ExpiryPolicy

    policy = ExpiryPolicy()
    dataloop = Account(
        id="d", name="d", platform=Platform.DATALOOP, host="h", status=AccountStatus.SIGNED_IN
    )
    failing = Account(
        id="f", name="f", platform=Platform.HAUT, host="h", status=AccountStatus.ERROR
    )
    trifacta = Account(
        id="t", name="t", platform=Platform.TRIFACTA, host="h", status=AccountStatus.SIGNED_IN
    )

    def session(account: Account, **meta: object) -> Credential:
        return Credential(
            id=account.id + "s",
            kind=CredentialKind.SESSION_TOKEN,
            label="s",
            account_id=account.id,
            expires_at=NOW + timedelta(hours=1),
            role=CredentialRole.SESSION,
            meta={**meta},
        )

    assert policy.renewal(session(dataloop), dataloop) is Renewal.AUTOMATIC
    api_key_session = session(dataloop, renewable=False)
    assert policy.renewal(api_key_session, dataloop) is Renewal.NONE, "a key is not renewed"
    assert policy.hold(api_key_session, dataloop).verdict(NOW).state is State.ACT_SOON
    assert policy.renewal(session(failing), failing) is Renewal.FAILING
    assert policy.renewal(session(trifacta), trifacta) is Renewal.NONE, "Trifacta cannot refresh"
    key = Credential(
        id="k", kind=CredentialKind.API_KEY, label="k", account_id="d", role=CredentialRole.KEY
    )
    assert policy.renewal(key, dataloop) is Renewal.NONE
    off = ExpiryPolicy(auto_refresh=False)
    assert off.renewal(session(dataloop), dataloop) is Renewal.OFF


def test_an_opaque_pasted_token_has_an_unknown_expiry_not_never() -> None:
    from tokendeck.core.models import Credential, CredentialKind
    from tokendeck.services.standing import ExpiryPolicy

    policy = ExpiryPolicy()

    def pasted(kind: str) -> Credential:
        return Credential(
            id=kind, kind=CredentialKind.PASTED_TOKEN, label=kind, meta={"token_kind": kind}
        )

    assert policy.hold(pasted("opaque"), None).verdict(NOW).state is State.UNKNOWN
    assert policy.hold(pasted("trifacta"), None).verdict(NOW).state is State.UNKNOWN
    assert policy.hold(pasted("jws"), None).verdict(NOW).state is State.ACTIVE


def test_time_claims_are_said_without_judging_the_token() -> None:
    """The Times rows say when a claim falls; only the verdict says valid or invalid (a 'valid
    since' beside 'signature does not match' was a contradiction)."""
    from tokendeck.core.token_decode import TimeClaim
    from tokendeck.core.token_report import time_phrase

    now = datetime(2026, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=2)
    said = {
        (name, when): time_phrase(TimeClaim(name, now + delta, standard), now)
        for name, standard in (("exp", True), ("nbf", True), ("iat", True), ("auth_time", False))
        for when, delta in (("future", hour), ("past", -hour))
    }
    assert said == {
        ("exp", "future"): "expires in 2 h",
        ("exp", "past"): "expired 2 h ago",
        ("nbf", "future"): "starts in 2 h",
        ("nbf", "past"): "started 2 h ago",
        ("iat", "future"): "issued 2 h in the future",
        ("iat", "past"): "issued 2 h ago",
        ("auth_time", "future"): "in 2 h",
        ("auth_time", "past"): "2 h ago",
    }
    assert not any("valid" in text for text in said.values())
