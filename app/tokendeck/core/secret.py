"""A wrapper for secret values whose text forms are always masked.

Every secret TokenDeck handles (passwords, tokens, API keys, private keys) travels as a `Secret`, so a
stray f-string, log call, `repr()` in a traceback or exception message shows `Secret('***')` instead of
the value. Only `reveal()` gives the value back, and the few places that call it are easy to audit.

Every secret is also remembered (weakly) by `core.redaction`, when created and when revealed, so a
log line or error text that carries its value anyway has it masked.
"""

from __future__ import annotations

import hmac
from typing import NoReturn, final

from tokendeck.core import redaction


@final
class Secret:
    __slots__ = ("__weakref__", "_value")

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value
        redaction.remember(self)

    def reveal(self) -> str:
        redaction.remember(self)
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")
