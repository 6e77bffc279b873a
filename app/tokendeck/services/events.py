"""A tiny publish / subscribe bus: services publish, the UI and the tray subscribe."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from tokendeck.core.models import Credential
from tokendeck.core.store_status import StoreStatus

if TYPE_CHECKING:  # the window imports this module before its first paint: no sqlite yet
    from tokendeck.storage.secret_keeper import ReconcileReport

log = logging.getLogger(__name__)
E = TypeVar("E")


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


class EventBus:
    def __init__(self) -> None:
        self._subscribers: defaultdict[type[Any], list[Callable[[Any], object]]] = defaultdict(list)
        self._relays: list[EventBus] = []

    def subscribe(self, kind: type[E], callback: Callable[[E], object]) -> None:
        self._subscribers[kind].append(callback)

    def relay_to(self, other: EventBus) -> None:
        """Publish every event on `other` too (a door wired before its engine was built)."""
        if other is not self and other not in self._relays:
            self._relays.append(other)

    def publish(self, event: object) -> None:
        for callback in list(self._subscribers[type(event)]):
            try:
                callback(event)
            except Exception:  # one broken subscriber must not stop the others
                log.exception("event subscriber failed for %s", type(event).__name__)
        for relay in self._relays:
            relay.publish(event)
