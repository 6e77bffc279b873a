"""The events services publish on the bus (services/event_bus.py), which the UI and the tray
subscribe to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tokendeck.core.models import Credential
from tokendeck.core.store_status import StoreStatus
from tokendeck.services.event_bus import EventBus

__all__ = [
    "AccountsChanged",
    "CredentialsChanged",
    "EventBus",
    "ExpirySummary",
    "ExpiryWarning",
    "RefreshFailed",
    "SecretsChecked",
    "StoreChanged",
]

if TYPE_CHECKING:  # the window imports this module before its first paint: no sqlite yet
    from tokendeck.storage.secret_keeper import ReconcileReport


@dataclass(frozen=True, slots=True)
class CredentialsChanged:
    """The set of held credentials (or their metadata) changed."""


@dataclass(frozen=True, slots=True)
class AccountsChanged:
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class ExpiryWarning:
    credential: Credential
    threshold: timedelta
    expires_at: datetime
    expired: bool


@dataclass(frozen=True, slots=True)
class ExpirySummary:
    """Several warnings became due at once (typically while TokenDeck was closed): one
    notification for all of them, not a burst."""

    warnings: tuple[ExpiryWarning, ...]


@dataclass(frozen=True, slots=True)
class RefreshFailed:
    """Automatic renewal of an account's session failed; published once per run of failures."""

    account_id: str
    account_name: str
    message: str


@dataclass(frozen=True, slots=True)
class StoreChanged:
    status: StoreStatus


@dataclass(frozen=True, slots=True)
class SecretsChecked:
    """The catalog checked against the secret store: interrupted saves settled at start-up, or
    the bulk check of every held secret (`report.missing_secrets`, `report.held_unknown`)."""

    report: ReconcileReport
    held: bool = False  # True for the bulk check of every held secret
