"""What a notification says, written once for the tray and for the no-tray route alike.

Every notice is about something a person must act on (see `core.verdict`): an expiry warning of
a credential a person replaces, a summary of several that became due together, or a renewal
that started failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tokendeck.core.timefmt import format_duration
from tokendeck.services.events import ExpirySummary, ExpiryWarning, RefreshFailed

MAX_TEXT = 300
SUMMARY_LINES = 4


@dataclass(frozen=True, slots=True)
class Notice:
    title: str
    text: str
    credential_id: str = ""  # what clicking the notification opens, if anything
    critical: bool = False


def warning_notice(warning: ExpiryWarning, now: datetime) -> Notice:
    label = warning.credential.label
    if warning.expired:
        return Notice(
            f"“{label}” has expired",
            "Replace it: calls with it now fail.",
            warning.credential.id,
            critical=True,
        )
    left = max(warning.expires_at - now, timedelta(0))
    return Notice(
        f"“{label}” expires in {format_duration(left)}",
        f"Replace it before then (warning set {format_duration(warning.threshold)} before expiry).",
        warning.credential.id,
    )


def summary_notice(summary: ExpirySummary, now: datetime) -> Notice:
    warnings = sorted(summary.warnings, key=lambda w: w.expires_at)
    expired = [w for w in warnings if w.expired]
    soon = [w for w in warnings if not w.expired]
    parts = []
    if expired:
        parts.append(f"{len(expired)} expired")
    if soon:
        parts.append(f"{len(soon)} expiring soon")
    lines = []
    for w in warnings[:SUMMARY_LINES]:
        when = (
            "expired"
            if w.expired
            else f"in {format_duration(max(w.expires_at - now, timedelta(0)))}"
        )
        lines.append(f"• {w.credential.label}: {when}")
    if len(warnings) > SUMMARY_LINES:
        lines.append(f"… and {len(warnings) - SUMMARY_LINES} more in the Tokens tab.")
    return Notice(
        f"{len(warnings)} credentials need attention ({', '.join(parts)})",
        "\n".join(lines)[:MAX_TEXT],
        warnings[0].credential.id,
        critical=bool(expired),
    )


def refresh_failed_notice(event: RefreshFailed) -> Notice:
    return Notice(
        f"Could not renew “{event.account_name}”",
        (f"{event.message} TokenDeck keeps retrying quietly; sign in again if it goes on.")[
            :MAX_TEXT
        ],
        critical=True,
    )
