"""A tiny publish / subscribe bus: services publish, the UI and the tray subscribe.

Apart from the events (services/events.py: dataclasses, 9 ms to define) so the window can make
its door and bus before its first rows without them."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
E = TypeVar("E")


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
