"""Last line of defence for logs and error texts: mask anything shaped like a credential.

Secrets travel as `Secret` (masked by construction); this catches what a third-party library
might put into an exception message: JWTs, bearer values, `password=` style pairs, Encord key
signatures and long random-looking strings.
"""

from __future__ import annotations

import re

MASK = "***"

_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){1,3}"),
    re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)([\"']?(?:password|passwd|secret|api[_-]?key|apikey|token|access_token|refresh_token|"
        r"id_token|client_secret|authorization|private[_-]?key)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&}]{3,}"
    ),
    re.compile(r"\b[0-9a-f]{64}:[0-9a-f]{128}\b"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL),
)


def redact(text: str) -> str:
    out = _PATTERNS[0].sub(MASK, text)
    out = _PATTERNS[1].sub(lambda m: f"{m.group(1)} {MASK}", out)
    out = _PATTERNS[2].sub(lambda m: f"{m.group(1)}{MASK}", out)
    out = _PATTERNS[3].sub(MASK, out)
    return _PATTERNS[4].sub(MASK, out)
