"""Text bound for a terminal: control characters shown, never obeyed.

A token's claims, a platform's message or an account name may hold escape sequences (an `iss`
that rewrites the line, or writes the clipboard with OSC 52) or bidirectional overrides that
reorder what is shown. Everything TokenDeck prints passes through `terminal_safe`.
"""

from __future__ import annotations

import re

# C0 but newline and tab, DEL, C1, and the bidirectional embedding / override / isolate marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every unsafe character written as an escape such as \\u001b."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
