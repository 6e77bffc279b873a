"""What the "Secret held" columns know of the secret store: the answer of its bulk check.

The services check every held secret after the store opens (`AppServices._check_held`, published
as `SecretsChecked`); the Tokens and API keys tables both say what that check found, alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokendeck.core.models import Credential

if TYPE_CHECKING:
    from tokendeck.services.door import ReconcileReport


PRESENCE_TEXTS = ("yes", "no", "missing", "unknown", "checking…")  # every word of the column


class SecretPresence:
    """What the "Secret held" column knows: "checking…" until the bulk check of the secret
    store answers (`SecretsChecked`), then yes / missing (or unknown if the store could not
    tell). Credentials added after the check are held: they were just written."""

    def __init__(self) -> None:
        self.missing: frozenset[str] | None = None  # credential ids; None until checked
        self.unknown = False

    def checked(self, missing: frozenset[str], *, unknown: bool = False) -> None:
        self.missing, self.unknown = missing, unknown

    def held(self, c: Credential) -> bool:
        """False only when the store said the secret is not there (or there is no secret)."""
        return c.secret_held and (self.missing is None or c.id not in self.missing)

    def text(self, c: Credential) -> str:
        if not c.secret_held:
            return "no"
        if self.unknown:
            return "unknown"
        if self.missing is None:
            return "checking…"
        return "missing" if c.id in self.missing else "yes"


def note_check(presence: SecretPresence, report: ReconcileReport) -> None:
    """What a bulk check of the held secrets found, into `presence` (see ui/wiring.py)."""
    presence.checked(report.missing_secrets.ids, unknown=report.held_unknown)
