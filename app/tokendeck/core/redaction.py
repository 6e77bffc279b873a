"""Last line of defence for logs and error texts: mask anything shaped like a credential.

Secrets travel as `Secret` (masked by construction); this catches what a platform's error body or
a third-party library might put into a message. Two mechanisms:

1. **Held secrets.** `core.secret.Secret` calls `remember` when a secret is created or revealed.
   The registry holds weak references to the most recent `MAX_REMEMBERED` secrets (never a copy
   of a value, never keeping a secret alive), and every occurrence of a held value of at least
   `MIN_REMEMBERED_CHARS` characters is masked, as written or JSON- or URL-escaped.
2. **Shapes.** Private-key PEM blocks (a truncated one to the end of the text); `key: value` and
   `key=value` pairs for password / passphrase / secret / token / API key / cookie /
   authorization keys (a password or header value to the end of its line, spaces included; a
   quoted value to its closing quote); `Bearer` / `Basic` values; URL userinfo
   (`https://user:pw@host`); any run of base64 whose decoding starts with `{` (a JWT or JWE
   whatever its header's spacing, a Trifacta token, any base64 JSON credential) from that segment
   to the end of the run; and long random-looking runs (32+ characters mixing upper case, lower
   case and digits, or 32+ hex digits).

Linear in the input: the text is first cut to `MAX_CHARS` (the cut is marked, and a word cut in
half is dropped), every pattern is anchored on a literal or a run start and has no nested or
overlapping quantifiers, and word runs are classified by a few slices. `bench/redaction.py`
measures it against `str.replace` over 1 MB of hostile input.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import weakref
from collections import OrderedDict
from typing import Protocol
from urllib.parse import quote

MASK = "***"
# Texts longer than this are cut before redaction (and the cut is marked).
MAX_CHARS = 64 * 1024
# A word cut in half at MAX_CHARS is dropped if it starts within this many characters of the cut.
_CUT_WORD_CHARS = 1024
MAX_REMEMBERED = 256
# Shorter held values are not masked by value (a 4-letter password would mask every "test").
MIN_REMEMBERED_CHARS = 8


class Held(Protocol):
    """What the registry holds: `core.secret.Secret` (read here without `reveal()`, so that
    reading the registry does not count as a use)."""

    @property
    def _value(self) -> str: ...


# ---------------------------------------------------------------------------------------------
# Held secrets: weak, bounded, most recently used last.

_held: OrderedDict[int, weakref.ref[Held]] = OrderedDict()
_held_lock = threading.RLock()


def remember(secret: Held) -> None:
    """Mask this secret's value wherever it appears, for as long as it lives (weakly held)."""
    key = id(secret)
    with _held_lock:
        # A held secret is re-stored in place (the same weak reference) and made the most recent;
        # an id a dead secret left is taken over.
        try:
            _held[key] = weakref.ref(secret)
        except TypeError:  # not weak-referenceable: nothing to hold
            return
        _held.move_to_end(key)
        while len(_held) > MAX_REMEMBERED:
            _held.popitem(last=False)


def _held_values() -> list[str]:
    with _held_lock:
        refs = list(_held.values())
    values: set[str] = set()
    for ref in refs:
        secret = ref()
        if secret is None:
            continue
        value = secret._value  # noqa: SLF001 (not reveal(): see Held)
        if len(value) >= MIN_REMEMBERED_CHARS:
            values.add(value)
    # Longest first, so a value containing another is masked whole.
    return sorted(values, key=len, reverse=True)


# Characters JSON and URLs both write as they are.
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._~-]")


def _escaped_forms(value: str) -> tuple[str, ...]:
    json_form = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    try:
        url_form = quote(value, safe="")
    except UnicodeEncodeError:  # a lone surrogate: it cannot be in a URL anyway
        url_form = value
    return tuple({json_form, url_form, url_form.replace("%20", "+")} - {value})


def _mask_held(text: str, held: list[str]) -> str:
    for value in held:
        if value in text:
            text = text.replace(value, MASK)
        odd = _NOT_PLAIN.search(value)
        if odd is None:
            continue  # nothing in it is escaped differently in JSON or a URL
        # Escaped forms start with the same plain characters: look for those first (cheap).
        if value[: odd.start()] not in text:
            continue
        for variant in _escaped_forms(value):  # each at least as long as the value
            if variant in text:
                text = text.replace(variant, MASK)
    return text


def _mask_held_prefix_at_end(text: str, held: list[str]) -> str:
    """After a cut: mask a held value whose beginning is the end of the text."""
    for value in held:
        if len(value) > _CUT_WORD_CHARS:
            continue  # longer values are PEM keys or tokens: the shape rules and the word drop
        tail = text[-len(value) :]
        start = tail.find(value[:MIN_REMEMBERED_CHARS])
        while start != -1:
            if value.startswith(tail[start:]):
                return text[: len(text) - len(tail) + start] + MASK
            start = tail.find(value[:MIN_REMEMBERED_CHARS], start + 1)
    return text


# ---------------------------------------------------------------------------------------------
# Shapes.

_PEM = re.compile(
    r"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY-----"
    r"[^-]*(?:-(?!----END)[^-]*)*"  # the body: anything up to an END marker, or to the end
    r"(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY-----)?"
)

# Keys whose value runs to the end of its line (a password may hold spaces; a header value is
# everything after the colon). A key may end a longer name: DB_PASSWORD, client_secret.
_LINE_KEYS = (
    r"password|passwd|pwd|passphrase|secret|private[_ -]?key|"
    r"proxy-authorization|authorization|set-cookie|cookie|credentials?"
)
# Keys whose value is one word.
_WORD_KEYS = (
    r"token[_-]?value|token|api[_ -]?key|apikey|session[_-]?id|signature|jwt|"
    r"access[_-]?key(?:[_-]?id)?"
)
_QUOTED = r"\"[^\"\\\r\n]*(?:\\.[^\"\\\r\n]*)*\"?|'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'?"
# Matched against an ASCII-lowercased copy (same length), so no IGNORECASE: the alternation of
# literal keys then starts with a plain character set the engine skips ahead with.
_KEYED = re.compile(
    rf"(?P<key>(?:(?P<line>{_LINE_KEYS})|(?:{_WORD_KEYS}))s?[\"']?[ \t]{{0,8}}[:=][ \t]{{0,8}})"
    rf"(?P<value>{_QUOTED}|(?(line)[^\r\n&]+|[^\s\"',;&}}<>)\]]+))"
)
# A word key's value that is a short run of letters followed by more words is prose ("Create
# access token: The platform had an internal error"), never a token or key value.
_PLAIN_WORD = re.compile(r"[a-z]{1,10}")
_PROSE_GOES_ON = re.compile(r" [a-z]{2,}")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SCHEME = re.compile(r"(?i)\b(?P<scheme>bearer|basic|digest|negotiate)[ \t]{1,8}[^\s\"',;]+")
_TOKEN_WORD = re.compile(r"(?i)\b(?P<scheme>token)[ \t]{1,8}[A-Za-z0-9._~+/=-]{8,}")
_USERINFO = re.compile(r"://[^/\s@?#\"'<>]{1,512}@")
_WORD_CHARS = "A-Za-z0-9+/_=.-"
_WORD = re.compile(rf"(?<![{_WORD_CHARS}])[{_WORD_CHARS}]{{12,}}")
_SEGMENT_SPLIT = re.compile(r"[./]")
_HEX = re.compile(r"[0-9A-Fa-f]{32,}")


def _mask_keyed(text: str) -> str:
    pieces: list[str] = []
    done = 0
    lowered = text.translate(_ASCII_LOWER)
    for match in _KEYED.finditer(lowered):
        quote_mark = match.group("value")[:1]
        quote_mark = quote_mark if quote_mark in ("'", '"') else ""
        if (
            not match.group("line")
            and not quote_mark
            and _PLAIN_WORD.fullmatch(match["value"])
            and _PROSE_GOES_ON.match(lowered, match.end())
        ):
            continue  # "Create access token: the platform ...": a sentence, not a token value
        pieces += [text[done : match.end("key")], quote_mark, MASK, quote_mark]
        done = match.end()
    return "".join([*pieces, text[done:]])


def _scheme(match: re.Match[str]) -> str:
    return f"{match.group('scheme')} {MASK}"


# `{"`: an object with a key, as every JWT / JWE header and credential object starts. Not `{}`:
# one UUID in a thousand decodes to "{}…" (e3…-…) and was masked in messages that name it.
_JSON_OBJECT_START = re.compile(rb'\{[ \t\r\n]{0,8}"')


def _starts_json_object(segment: str) -> bool:
    """Does this base64 / base64url segment decode to a JSON object (`{"` after any spacing)?"""
    # urlsafe_b64decode reads "+" as well as "-" ("/" never reaches here: it splits segments).
    head = segment[:24].rstrip("=")
    head = head[: len(head) - len(head) % 4]
    if not head:
        return False
    try:
        raw = base64.urlsafe_b64decode(head)
    except (binascii.Error, ValueError):
        return False
    return _JSON_OBJECT_START.match(raw.lstrip(b" \t\r\n")) is not None


def _random_looking(piece: str) -> bool:
    if len(piece) < 32:
        return False
    if _HEX.fullmatch(piece):
        return True
    if piece.count("/") > 2:  # a path (site-packages/PySide6/Qt/lib), not a key
        return False
    return (
        any(c.isupper() for c in piece)
        and any(c.islower() for c in piece)
        and any(c.isdigit() for c in piece)
    )


def _word(match: re.Match[str]) -> str:
    word = match.group(0)
    # A base64 JSON object (JWT / JWE header, Trifacta token): mask from there to the end.
    position = 0
    for piece in _SEGMENT_SPLIT.split(word):
        if len(piece) >= 8 and _starts_json_object(piece):
            return word[:position] + MASK
        position += len(piece) + 1
    if len(word) < 32:
        return word
    pieces = word.split(".")
    if not any(_random_looking(p) for p in pieces):
        return word
    return ".".join(MASK if _random_looking(p) else p for p in pieces)


def _mask_shapes(text: str) -> str:
    text = _PEM.sub(MASK, text)
    text = _mask_keyed(text)
    text = _SCHEME.sub(_scheme, text)
    text = _TOKEN_WORD.sub(_scheme, text)
    text = _USERINFO.sub(f"://{MASK}@", text)
    return _WORD.sub(_word, text)


def _cut(text: str) -> tuple[str, int]:
    """`text` cut to MAX_CHARS, without a word cut in half; and how many characters were cut."""
    if len(text) <= MAX_CHARS:
        return text, 0
    kept = text[:MAX_CHARS]
    if not text[MAX_CHARS].isspace():
        space = max(kept.rfind(c, MAX_CHARS - _CUT_WORD_CHARS) for c in " \t\r\n")
        if space != -1:
            kept = kept[: space + 1]
    return kept, len(text) - len(kept)


def redact(text: str) -> str:
    """`text` with every credential-shaped part and every held secret masked; linear time."""
    kept, cut = _cut(text)
    held = _held_values()
    out = _mask_held(kept, held)
    if cut:
        out = _mask_held_prefix_at_end(out, held)
    out = _mask_shapes(out)
    if cut:
        out += f" […{cut} more characters cut]"
    return out
