"""Time-dependent judgement of an `Inspection`: status, remaining time and problems at a moment.

Kept apart from decoding so a live view can re-assess once a second without decoding again.

Total: every comparison is between differences (`now - exp >= leeway`), never a datetime plus a
duration, so any claim time in the calendar and any leeway up to `timedelta.max` is judged
without an OverflowError. A negative leeway counts as none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tokendeck.core.problems import Problem, Severity
from tokendeck.core.timefmt import format_duration
from tokendeck.core.token_decode import Inspection, TokenKind
from tokendeck.core.token_status import STATUS_TEXT, TokenStatus

__all__ = ["STATUS_TEXT", "AssessPolicy", "Assessment", "TokenStatus", "assess", "kind_text"]

DEFAULT_EXPIRING_SOON = timedelta(hours=1)
# Lifetimes above this are flagged: a year covers Dataloop's 1-year API keys, anything longer is a
# token that outlives most rotation policies.
DEFAULT_MAX_LIFETIME = timedelta(days=366)
# An `iat` in the future by up to this much is reported as clock skew (warning), beyond it as an error.
CLOCK_SKEW_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class AssessPolicy:
    leeway: timedelta = timedelta(0)
    expiring_soon: timedelta = DEFAULT_EXPIRING_SOON
    max_lifetime: timedelta = DEFAULT_MAX_LIFETIME


@dataclass(frozen=True, slots=True)
class Assessment:
    status: TokenStatus
    remaining: timedelta | None
    problems: tuple[Problem, ...]


def assess(inspection: Inspection, now: datetime, policy: AssessPolicy | None = None) -> Assessment:
    policy = policy or AssessPolicy()
    leeway = max(policy.leeway, timedelta(0))
    problems = list(inspection.problems)
    if not inspection.is_jwt:
        return Assessment(TokenStatus.UNKNOWN, None, tuple(problems))

    exp, nbf, iat = inspection.expires_at, inspection.not_before, inspection.issued_at
    remaining = exp - now if exp else None
    if exp is None:
        status = TokenStatus.NO_EXPIRY
        if inspection.payload is not None:
            problems.append(
                Problem("no_exp", "No 'exp' claim: this token never expires by itself.")
            )
    elif now - exp >= leeway:
        status = TokenStatus.EXPIRED
        problems.append(
            Problem(
                "expired",
                f"Expired {format_duration(now - exp)} ago.",
                Severity.ERROR,
            )
        )
    elif remaining is not None and remaining <= policy.expiring_soon:
        status = TokenStatus.EXPIRING_SOON
    else:
        status = TokenStatus.VALID
    if nbf and nbf - now > leeway:
        status = TokenStatus.NOT_YET_VALID
        problems.append(
            Problem(
                "not_yet_valid",
                f"Not valid for another {format_duration(nbf - now)} (nbf).",
                Severity.ERROR,
            )
        )
    if iat and iat - now > leeway:
        ahead = iat - now
        if ahead <= CLOCK_SKEW_TOLERANCE:
            problems.append(
                Problem(
                    "clock_skew",
                    f"Issued {format_duration(ahead)} in the future: this clock or the issuer's "
                    "is off.",
                )
            )
        else:
            problems.append(
                Problem(
                    "iat_in_future",
                    f"Issued-at is {format_duration(ahead)} in the future.",
                    Severity.ERROR,
                )
            )
    lifetime = inspection.lifetime
    if lifetime is not None:
        if lifetime > policy.max_lifetime:
            problems.append(
                Problem(
                    "lifetime_too_long",
                    f"Lifetime of {format_duration(lifetime)} is longer than "
                    f"{format_duration(policy.max_lifetime)}.",
                )
            )
        elif lifetime.total_seconds() <= 0:
            problems.append(
                Problem("exp_before_iat", "Expires before it was issued.", Severity.ERROR)
            )
    return Assessment(status, remaining, tuple(problems))


def kind_text(kind: TokenKind) -> str:
    return {
        TokenKind.JWS: "JWT (signed)",
        TokenKind.UNSECURED_JWT: "JWT (unsigned, alg: none)",
        TokenKind.JWE: "JWE (encrypted)",
        TokenKind.TRIFACTA: "Trifacta access token",
        TokenKind.OPAQUE: "Opaque token",
    }[kind]
