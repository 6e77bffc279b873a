"""Reading the files where credentials lie in plaintext, and where in them each one lies (so the
copy can be taken out again): `.env` files, the Dataloop SDK's cookie and OpenSSH private keys.
Pure: it reads text it is given and writes nothing; the import service decides what each find
means and does the disk work.

`.env`: the syntax python-dotenv reads (`tests/unit/test_plaintext.py` checks the two agree):
`[export] NAME = value`, a value unquoted (a ` #` starts a comment), in single quotes (as is) or
in double quotes (backslash escapes, and it may span lines); blank lines and `#` lines ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tokendeck.core import safe_json
from tokendeck.core.secret import Secret

MAX_FILE_BYTES = 1024 * 1024  # nothing TokenDeck reads is bigger: a larger file is not read

_BINDING = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*")
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n"}
_ESCAPES |= {"r": "\r", "t": "\t", "v": "\v"}
_DOUBLE_ESCAPE = re.compile(r"\\[\\'\"abfnrtv]")
_SINGLE_ESCAPE = re.compile(r"\\[\\']")
_AFTER_QUOTE = re.compile(r"[ \t]*(?:#[^\r\n]*)?\r?(?:\n|$)")
_LONE_CR = re.compile(r"\r(?!\n)")
SSH_BEGIN, SSH_END = "-----BEGIN OPENSSH PRIVATE KEY-----", "-----END OPENSSH PRIVATE KEY-----"


@dataclass(frozen=True, slots=True)
class EnvBinding:
    """One `NAME=value` of a .env file: `start`/`end` span its whole lines, newline included."""

    name: str
    value: str = field(repr=False)  # a secret, often
    start: int
    end: int
    line: int  # 1-based, the line it starts on


def _line_end(text: str, pos: int) -> int:
    """The index just past the newline ending the line holding `pos` (or the text's end)."""
    cut = text.find("\n", pos)
    return len(text) if cut < 0 else cut + 1


def _closing(text: str, pos: int, quote: str) -> int:
    """The index of the quote closing one opened just before `pos`, or -1. A backslash and the
    character after it go together (python-dotenv's `(?:\\\\.|[^"\\\\])*`)."""
    while pos < len(text):
        if text[pos] == "\\" and pos + 1 < len(text):
            pos += 2
            continue
        if text[pos] == quote:
            return pos
        pos += 1
    return -1


def read_env(text: str) -> list[EnvBinding]:
    """Every binding of a .env text, in order; a line that is not one is skipped. The last
    binding of a name is the one that counts, as for python-dotenv."""
    out: list[EnvBinding] = []
    pos, line = 0, 1
    while pos < len(text):
        end = _line_end(text, pos)
        match = _BINDING.match(text, pos, end)
        if match is None:
            pos, line = end, line + 1
            continue
        at = match.end()
        quote = text[at] if at < len(text) and text[at] in "'\"" else ""
        if quote:
            close = _closing(text, at + 1, quote)
            if close < 0:  # never closed: python-dotenv gives up on it too
                pos, line = end, line + 1
                continue
            end = _line_end(text, close)
            if not _AFTER_QUOTE.fullmatch(text, close + 1, end):  # `A='x' B=2`: refused
                line += text.count("\n", pos, end)
                pos = end
                continue
            raw = text[at + 1 : close]
            pattern = _DOUBLE_ESCAPE if quote == '"' else _SINGLE_ESCAPE
            value = pattern.sub(lambda m: _ESCAPES[m.group()[1]], raw)
        elif at > match.start() and text[at - 1] in " \t" and text.startswith("#", at):
            value = ""  # `NAME= # comment`: empty (`NAME=#x` is "#x"), as python-dotenv reads it
        else:
            value = _without_comment(text[at:end].rstrip("\r\n")).rstrip()
        out.append(EnvBinding(match.group(1), value, pos, end, line))
        line += text.count("\n", pos, end)
        pos = end
    return out


def _without_comment(value: str) -> str:
    """`value` cut before its first ` #` and the whitespace before it: python-dotenv's
    `re.sub(r"\\s+#.*", "", value)`, in linear time (the regular expression takes quadratic
    time over a long run of spaces)."""
    at = value.find("#")
    while at >= 0:
        if at > 0 and value[at - 1].isspace():
            start = at - 1
            while start > 0 and value[start - 1].isspace():
                start -= 1
            return value[:start]
        at = value.find("#", at + 1)
    return value


def has_lone_carriage_returns(text: str) -> bool:
    """Lines ended by a CR alone (old Mac files): python-dotenv reads those as line ends, and
    this reader does not, so such a file is not read at all."""
    return _LONE_CR.search(text) is not None


def without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the given (start, end) spans taken out (e.g. the lines of removed bindings)."""
    kept: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        kept.append(text[pos:start])
        pos = max(pos, end)
    kept.append(text[pos:])
    return "".join(kept)


@dataclass(frozen=True, slots=True)
class CookieLogin:
    """One environment's sign-in as the Dataloop SDK keeps it in its cookie.json, under
    `login_parameters[<environment url>]` (dtlpy/services/api_client.py)."""

    environment: str  # the API's URL, e.g. https://gate.dataloop.ai/api/v1
    token: Secret  # the id_token
    refresh_token: Secret | None
    gate_url: str
    alias: str


class NotThisKindError(ValueError):
    """The text is not a file of this kind; the message says why, never quoting it."""


def cookie_logins(text: str) -> list[CookieLogin]:
    """The environments of a dtlpy cookie that hold a token. NotThisKindError when it is not
    one (not JSON, or no `login_parameters` object)."""
    try:
        data = safe_json.loads(text)
    except safe_json.JsonError as error:
        raise NotThisKindError(str(error)) from None
    logins = data.get("login_parameters") if isinstance(data, Mapping) else None
    if not isinstance(logins, Mapping):
        raise NotThisKindError("It has no login_parameters, as the Dataloop SDK writes them.")
    out: list[CookieLogin] = []
    for environment, values in logins.items():
        if not isinstance(values, Mapping):
            continue
        token, refresh = values.get("token"), values.get("refresh_token")
        if not isinstance(token, str) or not token.strip():
            continue
        out.append(
            CookieLogin(
                environment=str(environment),
                token=Secret(token.strip()),
                refresh_token=Secret(refresh.strip())
                if isinstance(refresh, str) and refresh.strip()
                else None,
                gate_url=str(values.get("gate_url") or ""),
                alias=str(values.get("alias") or ""),
            )
        )
    return out


def openssh_private_key(text: str) -> Secret | None:
    """The OpenSSH private key a file (or a variable) holds: the block it starts with, or None.
    A key quoted inside other text (a .env file's variable) is not the file's."""
    start = len(text) - len(text.lstrip())
    end = text.find(SSH_END, start)
    if not text.startswith(SSH_BEGIN, start) or end < 0:
        return None
    return Secret(text[start : end + len(SSH_END)] + "\n")


def openssh_key_type(key: Secret) -> str | None:
    """The key type an OpenSSH private key names in its public part ("ssh-ed25519"), readable
    without its passphrase (PROTOCOL.key: magic, cipher, kdf, kdf options, count, public key);
    None when it cannot be read."""
    import base64
    import binascii

    lines = key.reveal().strip().splitlines()[1:-1]
    try:
        data = base64.b64decode("".join(lines), validate=True)
    except (binascii.Error, ValueError):
        return None
    magic = b"openssh-key-v1\0"
    if not data.startswith(magic):
        return None
    pos = len(magic)
    fields: list[bytes] = []
    for _ in range(4):  # cipher name, kdf name, kdf options; then the public key blob
        if pos + 4 > len(data):
            return None
        if len(fields) == 3:
            pos += 4  # the number of keys
        size = int.from_bytes(data[pos : pos + 4], "big")
        fields.append(data[pos + 4 : pos + 4 + size])
        pos += 4 + size
    blob = fields[3]
    if len(blob) < 4:
        return None
    size = int.from_bytes(blob[:4], "big")
    return blob[4 : 4 + size].decode("ascii", "replace") or None


def masked(value: str) -> str:
    """What may be shown of a secret to recognise it: its first and last 4 characters when it is
    long enough that they give little away (24 and more), else nothing."""
    value = value.strip()
    if len(value) < 24:
        return "•" * 8
    return f"{value[:4]}…{value[-4:]}"
