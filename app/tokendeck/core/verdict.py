"""The one place that decides where a credential or a token stands, and why.

Every surface reads a `Verdict` from here: the Accounts, API keys and Tokens tables, the tray
icon and its menu, the expiry watcher, the Inspector and `tokendeck inspect`. So they cannot
disagree: a bad signature is "invalid" everywhere, a revoked key is "revoked" (never "expired in
364 days"), and a session TokenDeck renews by itself is "renews itself", never orange.

Orange (`ACT_SOON`) means one thing: a person must act soon. It is reached only by what a person
must replace (API keys, private tokens, pasted tokens, sessions whose renewal is off or failing)
once it is inside its warning window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tokendeck.core.problems import Problem, Severity
from tokendeck.core.timefmt import format_duration
from tokendeck.core.token_status import TokenStatus


class State(StrEnum):
    ACTIVE = "active"
    RENEWS = "renews_itself"
    ACT_SOON = "act_soon"
    EXPIRED = "expired"
    REVOKED = "revoked"
    INVALID = "invalid"
    UNKNOWN = "unknown"  # an opaque token: nothing in it says when it ends


STATE_TEXT: dict[State, str] = {
    State.ACTIVE: "active",
    State.RENEWS: "renews itself",
    State.ACT_SOON: "expires soon",
    State.EXPIRED: "expired",
    State.REVOKED: "revoked",
    State.INVALID: "invalid",
    State.UNKNOWN: "expiry unknown",
}

# Tones are names, the colours live in the UI's style module.
STATE_TONE: dict[State, str] = {
    State.ACTIVE: "ok",
    State.RENEWS: "ok",
    State.ACT_SOON: "warn",
    State.EXPIRED: "bad",
    State.REVOKED: "muted",
    State.INVALID: "bad",
    State.UNKNOWN: "muted",
}

# Worst first: the tray shows the worst state among what needs a person.
_SEVERITY: dict[State, int] = {
    State.INVALID: 0,
    State.EXPIRED: 1,
    State.ACT_SOON: 2,
    State.UNKNOWN: 3,
    State.ACTIVE: 4,
    State.RENEWS: 5,
    State.REVOKED: 6,
}


class Renewal(StrEnum):
    """Who keeps a credential alive."""

    NONE = "none"  # a person replaces it: API key, private token, pasted token
    AUTOMATIC = "automatic"  # TokenDeck renews it, and the last renewal worked
    FAILING = "failing"  # TokenDeck renews it, but the last attempt failed
    OFF = "off"  # renewable, but automatic refresh is switched off in Settings


@dataclass(frozen=True, slots=True)
class Verdict:
    state: State
    reason: str
    expires_at: datetime | None = None

    @property
    def text(self) -> str:
        return STATE_TEXT[self.state]

    @property
    def tone(self) -> str:
        return STATE_TONE[self.state]

    @property
    def needs_person(self) -> bool:
        """True when a person must do something (the tray and its icon count only these)."""
        return self.state in (State.ACT_SOON, State.EXPIRED, State.INVALID)

    @property
    def counts_down(self) -> bool:
        """A live countdown is meaningful (not for a revoked or invalid credential)."""
        return self.expires_at is not None and self.state not in (State.REVOKED, State.INVALID)

    @property
    def severity(self) -> int:
        """Lower is worse."""
        return _SEVERITY[self.state]


def judge_credential(
    expires_at: datetime | None,
    now: datetime,
    *,
    revoked: bool = False,
    renewal: Renewal = Renewal.NONE,
    warn_within: timedelta = timedelta(0),
    expiry_known: bool = True,
) -> Verdict:
    """Where a held credential stands at `now`.

    `warn_within` is the widest warning threshold that applies to it (Settings or the account's
    own): inside it, a credential a person must replace is `ACT_SOON`. `expiry_known` is False
    for an opaque token with no expiry on record: it may well expire, TokenDeck cannot tell.
    """
    if revoked:
        return Verdict(State.REVOKED, "Revoked: it no longer works.", None)
    remaining = expires_at - now if expires_at is not None else None
    if renewal is Renewal.AUTOMATIC:
        if remaining is not None and remaining <= timedelta(0):
            return Verdict(
                State.RENEWS, "Ended; TokenDeck renews it when it is next needed.", expires_at
            )
        return Verdict(State.RENEWS, "TokenDeck renews it before it expires.", expires_at)
    if renewal is Renewal.FAILING:
        if remaining is not None and remaining <= timedelta(0):
            return Verdict(
                State.EXPIRED, "Expired, and renewing it failed: sign in again.", expires_at
            )
        return Verdict(
            State.ACT_SOON,
            "Renewing it failed: TokenDeck keeps trying; sign in again if it goes on failing.",
            expires_at,
        )
    replace = "sign in again" if renewal is Renewal.OFF else "replace it"
    if expires_at is None or remaining is None:
        if not expiry_known:
            return Verdict(
                State.UNKNOWN,
                "Its expiry is not readable from the token: only the platform knows it.",
                None,
            )
        return Verdict(State.ACTIVE, "Never expires.", None)
    if remaining <= timedelta(0):
        return Verdict(
            State.EXPIRED, f"Expired {format_duration(-remaining)} ago: {replace}.", expires_at
        )
    if remaining <= warn_within:
        return Verdict(
            State.ACT_SOON,
            f"Expires in {format_duration(remaining)}: {replace} before then.",
            expires_at,
        )
    if renewal is Renewal.OFF:
        return Verdict(
            State.ACTIVE,
            f"Expires in {format_duration(remaining)}; automatic refresh is off.",
            expires_at,
        )
    return Verdict(State.ACTIVE, f"Expires in {format_duration(remaining)}.", expires_at)


def judge_token(
    status: TokenStatus,
    expires_at: datetime | None,
    problems: Iterable[Problem],
    *,
    signature_invalid: bool = False,
    signature_verified: bool = False,
    signature_message: str = "",
    remaining: timedelta | None = None,
) -> Verdict:
    """Where a decoded token stands (the Inspector and `tokendeck inspect`).

    `status` and `problems` come from `token_assess.assess` (and the verification's own
    problems); `signature_invalid` from `token_verify`. A token with a bad signature, or with an
    error-level problem that is not about time, is `INVALID` whatever its times say.
    """
    if signature_invalid:
        return Verdict(State.INVALID, signature_message or "The signature does not match.")
    time_codes = {"expired", "not_yet_valid"}
    for problem in problems:
        if problem.severity is Severity.ERROR and problem.code not in time_codes:
            return Verdict(State.INVALID, problem.message, expires_at)
    if status is TokenStatus.EXPIRED:
        return Verdict(State.EXPIRED, "Expired: it is no longer accepted.", expires_at)
    if status is TokenStatus.NOT_YET_VALID:
        return Verdict(State.INVALID, "Not valid yet (nbf is in the future).", expires_at)
    trust = " Signature verified." if signature_verified else " Signature not verified."
    if status is TokenStatus.EXPIRING_SOON:
        left = f" in {format_duration(remaining)}" if remaining is not None else " soon"
        return Verdict(State.ACT_SOON, f"Expires{left}.{trust}", expires_at)
    if status is TokenStatus.VALID:
        left = f" in {format_duration(remaining)}" if remaining is not None else ""
        return Verdict(State.ACTIVE, f"Expires{left}.{trust}", expires_at)
    if status is TokenStatus.NO_EXPIRY:
        return Verdict(State.ACTIVE, f"Never expires by itself (no exp claim).{trust}", None)
    return Verdict(State.UNKNOWN, "Its expiry is not readable from the token itself.", None)


def urgency(verdict: Verdict) -> tuple[int, float]:
    """Sort key: the verdict that most needs a person first, the sooner expiry first among equals."""
    at = verdict.expires_at.timestamp() if verdict.expires_at is not None else float("inf")
    return verdict.severity, at
