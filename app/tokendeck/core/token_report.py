"""What the Inspector shows, as one JSON-ready dict and as readable text (`tokendeck inspect`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tokendeck.core.problems import Problem
from tokendeck.core.timefmt import (
    countdown,
    format_duration,
    local_text,
    relative_phrase,
    utc_iso,
)
from tokendeck.core.token_assess import Assessment, kind_text
from tokendeck.core.token_decode import Inspection, TimeClaim
from tokendeck.core.verdict import STATE_TEXT, State, Verdict, judge_token

SIGNATURE_NOT_VERIFIED = "not_verified"


def time_phrase(claim: TimeClaim, now: datetime) -> str:
    """When a time claim falls, said without judging the token: "starts in 2 h", never "valid"
    (the verdict alone says whether the token is valid, beside a bad signature too)."""
    if claim.name == "exp":
        return relative_phrase(claim.at, now, future="expires", past="expired")
    if claim.name == "nbf":
        return relative_phrase(claim.at, now, future="starts", past="started")
    if claim.name == "iat":
        if claim.at > now:
            return f"issued {format_duration(claim.at - now)} in the future"
        return relative_phrase(claim.at, now, future="issued", past="issued")
    return countdown(claim.at, now)  # "in 2 h" / "5 min ago"


def token_verdict(
    inspection: Inspection,
    assessment: Assessment,
    *,
    signature: str = SIGNATURE_NOT_VERIFIED,
    signature_message: str = "",
    extra_problems: tuple[Problem, ...] = (),
    key_given: bool = False,
) -> Verdict:
    """The one verdict on a pasted token, for the Inspector and `tokendeck inspect` alike.

    With `key_given`, a signature the key did not verify (a wrong key, no key for its `kid`, a
    token that is not a signed JWT) makes the token invalid: the person asked for a check and
    it failed, so the verdict, the text and the exit code all say so."""
    failed_check = key_given and signature != "verified"
    if failed_check and signature != "invalid":
        signature_message = (
            f"A key was given, but it did not verify this token. {signature_message}"
        )
    return judge_token(
        assessment.status,
        inspection.expires_at,
        (*assessment.problems, *extra_problems),
        signature_invalid=signature == "invalid" or failed_check,
        signature_verified=signature == "verified",
        signature_message=signature_message,
        remaining=assessment.remaining,
    )


def to_dict(
    inspection: Inspection,
    assessment: Assessment,
    now: datetime,
    *,
    signature: str = SIGNATURE_NOT_VERIFIED,
    signature_message: str = "Signature not verified.",
    extra_problems: tuple[Problem, ...] = (),
    key_given: bool = False,
) -> dict[str, Any]:
    problems = (*assessment.problems, *extra_problems)
    lifetime = inspection.lifetime
    verdict = token_verdict(
        inspection,
        assessment,
        signature=signature,
        signature_message=signature_message,
        extra_problems=extra_problems,
        key_given=key_given,
    )
    return {
        "kind": inspection.kind.value,
        "verdict": verdict.state.value,
        "verdict_reason": verdict.reason,
        "header": dict(inspection.header) if inspection.header is not None else None,
        "payload": dict(inspection.payload) if inspection.payload is not None else None,
        "payload_text": inspection.payload_text,
        "status": assessment.status.value,
        "expires_at": utc_iso(inspection.expires_at) if inspection.expires_at else None,
        "issued_at": utc_iso(inspection.issued_at) if inspection.issued_at else None,
        "not_before": utc_iso(inspection.not_before) if inspection.not_before else None,
        "remaining_seconds": int(assessment.remaining.total_seconds())
        if assessment.remaining is not None
        else None,
        "lifetime_seconds": int(lifetime.total_seconds()) if lifetime is not None else None,
        "issuer": inspection.claim_text("iss"),
        "subject": inspection.claim_text("sub"),
        "audience": inspection.claim_text("aud"),
        "times": [
            {
                "claim": c.name,
                "utc": utc_iso(c.at),
                "relative": time_phrase(c, now),
                "standard": c.standard,
            }
            for c in inspection.time_claims
        ],
        "problems": [p.code for p in problems],
        "problem_details": [
            {"code": p.code, "severity": p.severity.value, "message": p.message} for p in problems
        ],
        "signature": signature,
        "signature_message": signature_message,
        "trifacta_token_id": inspection.trifacta_token_id,
        "notes": list(inspection.notes),
    }


def to_text(report: dict[str, Any], inspection: Inspection, now: datetime) -> str:
    lines = [f"Kind:       {kind_text(inspection.kind)}"]
    verdict = State(report["verdict"])
    lines.append(f"Verdict:    {STATE_TEXT[verdict]} — {report['verdict_reason']}")
    for label, key in (("Issuer", "issuer"), ("Subject", "subject"), ("Audience", "audience")):
        if report[key]:
            lines.append(f"{label + ':':<11} {report[key]}")
    if report["trifacta_token_id"]:
        lines.append(f"Token id:   {report['trifacta_token_id']}")
    for claim in inspection.time_claims:
        guess = "" if claim.standard else "  (looks like a time)"
        lines.append(
            f"{claim.name + ':':<11} {utc_iso(claim.at)}  ({local_text(claim.at)})  "
            f"{time_phrase(claim, now)}{guess}"
        )
    if inspection.lifetime is not None:
        lines.append(f"Lifetime:   {format_duration(inspection.lifetime, parts=3)}")
    lines.append(f"Signature:  {report['signature_message']}")
    if report["header"] is not None:
        lines += [
            "",
            "Header:",
            _indent(json.dumps(report["header"], indent=2, ensure_ascii=False)),
        ]
    if report["payload"] is not None:
        lines += [
            "",
            "Payload:",
            _indent(json.dumps(report["payload"], indent=2, ensure_ascii=False)),
        ]
    elif report["payload_text"] is not None:
        lines += ["", "Payload (not JSON):", _indent(report["payload_text"])]
    if report["problem_details"]:
        lines += ["", "Problems:"]
        lines += [
            f"  [{p['severity']}] {p['code']}: {p['message']}" for p in report["problem_details"]
        ]
    else:
        lines += ["", "Problems:   none found"]
    if report["notes"]:
        lines += ["", *[f"Note: {n}" for n in report["notes"]]]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
