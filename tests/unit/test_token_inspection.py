"""`inspect_token`, exactly: the whole `Inspection` each kind of token gives (kind, token, header,
payload, notes, problems, time claims), and each refusal's code and sentence."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.tokens import b64url
from tokendeck.core.problems import Problem, Severity
from tokendeck.core.secret import Secret
from tokendeck.core.token_decode import (
    Inspection,
    TimeClaim,
    TokenFormatError,
    TokenKind,
    inspect_token,
)

REPLACED = Problem(
    "invalid_unicode",
    "The token's JSON holds invalid Unicode (lone surrogates); shown as \ufffd.",
)
TRIFACTA_NOTE = (
    "Trifacta / Alteryx / Dataprep access token: not a JWT. Its expiry is known only to the "
    "platform (list the account's access tokens to see it)."
)
# Standard base64 with both "+" and "/" in it.
TRIFACTA = "eyJ0b2tlbklkIjogInQtMSIsICJzZWNyZXQiOiAiczB+fn4/Pz4+In0="


def _jwt(header: dict[str, Any], payload: dict[str, Any] | bytes, signature: str = "c2ln") -> str:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return f"{b64url(json.dumps(header).encode())}.{b64url(body)}.{signature}"


def _opaque(value: str) -> Inspection:
    return Inspection(
        kind=TokenKind.OPAQUE,
        token=Secret(value),
        notes=("Opaque token: it carries no readable claims or expiry.",),
    )


def test_a_trifacta_token_shows_its_id_and_hides_its_secret() -> None:
    assert "+" in TRIFACTA and "/" in TRIFACTA
    assert inspect_token(TRIFACTA) == Inspection(
        kind=TokenKind.TRIFACTA,
        token=Secret(TRIFACTA),
        header=None,
        payload={"tokenId": "t-1", "secret": "••••••••"},
        trifacta_token_id="t-1",
        notes=(TRIFACTA_NOTE,),
    )


@pytest.mark.parametrize(
    "obj",
    [
        {"tokenId": "t-1", "other": "no secret here"},
        {"tokenId": 5, "secret": "an id that is not text"},
        {"secret": "no id at all"},
    ],
)
def test_base64_json_without_a_text_token_id_and_a_secret_is_opaque(obj: dict[str, Any]) -> None:
    value = base64.b64encode(json.dumps(obj).encode()).decode()
    assert inspect_token(value) == _opaque(value)


def test_a_trifacta_token_with_a_character_base64_lacks_is_opaque() -> None:
    value = TRIFACTA[:10] + "*" + TRIFACTA[10:]
    assert inspect_token(value) == _opaque(value)


def test_a_jwe_shows_its_header_only_and_says_its_payload_is_encrypted() -> None:
    header = b64url(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM"}).encode())
    token = f"{header}.{b64url(b'k' * 32)}.{b64url(b'iv')}.{b64url(b'ct')}.{b64url(b'tag')}"
    assert inspect_token(f"Bearer {token}") == Inspection(
        kind=TokenKind.JWE,
        token=Secret(token),
        header={"alg": "RSA-OAEP", "enc": "A256GCM"},
        notes=(
            "Removed the prefix 'Bearer'.",
            "Encrypted token (JWE): only the header is readable.",
        ),
        problems=(
            Problem(
                "encrypted",
                "The payload is encrypted; its claims and expiry cannot be read without the key.",
                Severity.INFO,
            ),
        ),
    )


def test_a_jwe_header_with_a_lone_surrogate_is_shown_replaced_and_flagged() -> None:
    header = b64url(b'{"alg": "dir", "enc": "A128GCM", "kid": "\\ud800"}')
    token = f"{header}.{b64url(b'k')}.{b64url(b'iv')}.{b64url(b'ct')}.{b64url(b'tag')}"
    inspection = inspect_token(token)
    assert inspection.header == {"alg": "dir", "enc": "A128GCM", "kid": "\ufffd"}
    assert [p.code for p in inspection.problems] == ["encrypted", "invalid_unicode"]
    assert inspection.problems[1] == REPLACED


def test_a_jwt_with_a_binary_payload_shows_it_as_hex() -> None:
    token = _jwt({"alg": "HS256"}, b"\xff\xfe\x00\x01")
    assert inspect_token(token) == Inspection(
        kind=TokenKind.JWS,
        token=Secret(token),
        header={"alg": "HS256"},
        payload=None,
        payload_text="fffe0001",
        problems=(
            Problem("binary_payload", "The payload is binary, shown as hex.", Severity.INFO),
            Problem(
                "payload_not_json",
                "The payload is not a JSON object: a signed blob, not a JWT.",
                Severity.ERROR,
            ),
        ),
    )


@pytest.mark.parametrize(
    ("payload", "text"),
    [(b"[1, 2]", "[1, 2]"), (b"not json at all", "not json at all"), (b'"\xc3\xa9"', '"é"')],
)
def test_a_jwt_whose_payload_is_not_a_json_object_shows_its_text(payload: bytes, text: str) -> None:
    inspection = inspect_token(_jwt({"alg": "HS256"}, payload))
    assert inspection.payload is None
    assert inspection.payload_text == text
    assert [p.code for p in inspection.problems] == ["payload_not_json"]


def test_a_signed_jwt_gives_header_payload_and_time_claims() -> None:
    payload = {"sub": "user-1", "iat": 1_700_000_000, "exp": 1_700_003_600, "seen": 1_800_000_000}
    token = _jwt({"alg": "HS256", "typ": "JWT"}, payload)
    assert inspect_token(token) == Inspection(
        kind=TokenKind.JWS,
        token=Secret(token),
        header={"alg": "HS256", "typ": "JWT"},
        payload=payload,
        time_claims=(
            TimeClaim("exp", datetime.fromtimestamp(1_700_003_600, UTC), standard=True),
            TimeClaim("iat", datetime.fromtimestamp(1_700_000_000, UTC), standard=True),
            TimeClaim("seen", datetime.fromtimestamp(1_800_000_000, UTC), standard=False),
        ),
    )


def test_an_iso_time_claim_is_read_and_an_iso_exp_is_flagged() -> None:
    inspection = inspect_token(
        _jwt({"alg": "HS256"}, {"auth_time": "2026-01-01T00:00:00Z", "exp": "2026-02-01T00:00:00Z"})
    )
    assert inspection.claim_time("auth_time") == datetime(2026, 1, 1, tzinfo=UTC)
    assert inspection.expires_at == datetime(2026, 2, 1, tzinfo=UTC)
    assert inspection.problems == (
        Problem(
            "invalid_claim",
            "'exp' is not a valid time (RFC 7519 wants seconds since 1970).",
            Severity.ERROR,
        ),
    )


def test_claim_text_gives_strings_and_joins_string_lists() -> None:
    inspection = inspect_token(
        _jwt({"alg": "HS256"}, {"iss": "issuer", "aud": ["a", "b"], "n": 5, "m": ["a", 1]})
    )
    assert inspection.claim_text("iss") == "issuer"
    assert inspection.claim_text("aud") == "a, b"
    assert inspection.claim_text("n") is None
    assert inspection.claim_text("m") is None
    assert inspection.claim_text("absent") is None
    assert _opaque("x").claim_text("iss") is None


def test_a_json_wrapper_gives_the_first_field_holding_text() -> None:
    token = _jwt({"alg": "HS256"}, {"sub": "x"})
    inspection = inspect_token(json.dumps({"access_token": 5, "id_token": token}))
    assert inspection.token == Secret(token)
    assert inspection.notes == ("Read the token from the JSON field 'id_token'.",)


def test_a_json_wrapper_nested_too_deep_is_refused() -> None:
    with pytest.raises(TokenFormatError) as info:
        inspect_token('{"a": ' * 70 + "1" + "}" * 70)
    assert info.value.code == "too_deep"
    assert str(info.value) == "The JSON is nested more than 64 levels deep."


def test_a_format_error_says_its_message_and_keeps_its_code() -> None:
    error = TokenFormatError("some_code", "Some sentence.")
    assert str(error) == "Some sentence."
    assert error.args == ("Some sentence.",)
    assert error.code == "some_code"


# ---------------------------------------------------------------------------------------------
# Refusals: each code with its sentence.

HS = b64url(b'{"alg":"HS256"}')
DEEP = b64url(b'{"a":' * 70 + b"1" + b"}" * 70)
SURROGATE_HEADER = b64url(b'{"alg": "HS256", "k": "\\ud800"}')
SURROGATE_PAYLOAD = b64url(b'{"s": "\\udc00"}')


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        (None, "not_text", "Expected text."),
        ("x" * (256 * 1024 + 1), "too_long", "The input is longer than 256 KiB: not a token."),
        (" \n\t", "empty", "Nothing to inspect: paste a token."),
        (
            f"{HS}.e*J9.c2ln",
            "malformed_jwt",
            "This looks like a JWT, but a part has characters that base64url does not use.",
        ),
        (
            f"{HS}.eyJ9x.c2ln",
            "malformed_jwt",
            "The payload of this token is not valid base64url.",
        ),
        (
            f"{HS}.e30.c2ln.Y3Q5x.dGFn",
            "malformed_jwt",
            "The ciphertext of this token is not valid base64url.",
        ),
        (
            "eyJub3QganNvbg.eyJ9.sig",
            "malformed_jwt",
            "This looks like a JWT, but its header is not valid base64url JSON.",
        ),
        (
            "hello world",
            "not_a_token",
            "This is not a token: it has spaces or control characters in the middle, "
            "and is neither a JWT, a JWE nor a Trifacta token.",
        ),
        (
            f"{DEEP}.e30.c2ln",
            "too_deep",
            "The token's header: The JSON is nested more than 64 levels deep.",
        ),
        (
            f"{HS}.{DEEP}.c2ln",
            "too_deep",
            "The token's payload: The JSON is nested more than 64 levels deep.",
        ),
        ("Bearer Bearer Bearer " + f"{HS}.e30.c2ln", "not_a_token", None),
        ("ab.cd. ef", "not_a_token", None),
    ],
)
def test_each_refusal_has_its_code_and_sentence(text: Any, code: str, message: str | None) -> None:
    with pytest.raises(TokenFormatError) as info:
        inspect_token(text)
    assert info.value.code == code
    if message is not None:
        assert str(info.value) == message


def test_an_input_of_exactly_the_size_bound_is_inspected() -> None:
    assert inspect_token("x" * (256 * 1024)).kind is TokenKind.OPAQUE


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"{HS}.e30.c2ln", TokenKind.JWS),
        (f"{HS}.e30.c2ln.Y3Q.dGFn", TokenKind.JWE),
        (f"{HS}.e30.c2ln.Y3Q", TokenKind.OPAQUE),  # four parts: neither
        (f"{HS}.e30.c2ln.Y3Q.dGFn.eA", TokenKind.OPAQUE),  # six parts: neither
        ("abc.def.ghi", TokenKind.OPAQUE),  # base64url parts, no JSON header, not eyJ
    ],
)
def test_the_number_of_parts_decides_jws_jwe_or_opaque(text: str, kind: TokenKind) -> None:
    assert inspect_token(text).kind is kind


# ---------------------------------------------------------------------------------------------
# Wrappers: what is removed, and the note that says so.

SIGNED_X = f"{HS}.e30.c2lnXX"  # ends with an X (a character no wrapper strips)


@pytest.mark.parametrize(
    ("text", "notes"),
    [
        (SIGNED_X, ()),
        (f'\ufeff"{SIGNED_X}"', ()),
        (f"`{SIGNED_X}`", ()),
        (f"{SIGNED_X};", ()),
        (f"{SIGNED_X},", ()),
        (f"Bearer Bearer {SIGNED_X}", ("Removed the prefix 'Bearer'.",) * 2),
        (f'Bearer Bearer "{SIGNED_X}"', ("Removed the prefix 'Bearer'.",) * 2),
        (f"Authorization: Bearer {SIGNED_X}", ("Removed the prefix 'Authorization: Bearer'.",)),
        (f"'token {SIGNED_X}'", ("Removed the prefix 'token'.",)),
        (
            f"{SIGNED_X[:10]}\n  {SIGNED_X[10:]}",
            ("Joined a token that was split over several lines.",),
        ),
        (
            json.dumps({"jwt": f"Bearer {SIGNED_X}"}),
            ("Read the token from the JSON field 'jwt'.", "Removed the prefix 'Bearer'."),
        ),
    ],
)
def test_wrappers_are_removed_and_noted(text: str, notes: tuple[str, ...]) -> None:
    inspection = inspect_token(text)
    assert inspection.token == Secret(SIGNED_X)
    assert inspection.notes == notes


def test_a_jwe_split_over_lines_is_joined() -> None:
    token = f"{HS}.e30.c2ln.Y3Q.dGFn"
    inspection = inspect_token(token.replace(".", ".\n"))
    assert inspection.kind is TokenKind.JWE
    assert inspection.token == Secret(token)


def test_a_json_wrapper_with_an_empty_field_reads_the_next() -> None:
    inspection = inspect_token(json.dumps({"access_token": "  ", "refresh_token": SIGNED_X}))
    assert inspection.token == Secret(SIGNED_X)


# ---------------------------------------------------------------------------------------------
# Signatures, alg and the header.


def _codes(inspection: Inspection) -> list[str]:
    return [p.code for p in inspection.problems]


def test_an_unsigned_jwt_with_a_signature_is_flagged_twice() -> None:
    inspection = inspect_token(_jwt({"alg": "NONE"}, {"sub": "x"}))
    assert inspection.kind is TokenKind.UNSECURED_JWT
    assert inspection.problems == (
        Problem(
            "alg_none",
            "Unsigned token (alg: none): anyone can forge it. Never accept it.",
            Severity.ERROR,
        ),
        Problem("alg_none_with_signature", "alg is 'none' but a signature is present."),
    )
    assert _codes(inspect_token(_jwt({"alg": "none"}, {"sub": "x"}, signature=""))) == ["alg_none"]


def test_a_jwt_without_alg_or_signature_is_flagged() -> None:
    assert inspect_token(_jwt({"typ": "JWT"}, {"sub": "x"})).problems == (
        Problem("no_alg", "The header has no 'alg' string.", Severity.ERROR),
    )
    assert inspect_token(_jwt({"alg": "HS256"}, {"sub": "x"}, signature="")).problems == (
        Problem("no_signature", "The signature part is empty.", Severity.ERROR),
    )
    inspection = inspect_token(_jwt({"alg": 5}, {"sub": "x"}))
    assert inspection.kind is TokenKind.JWS and _codes(inspection) == ["no_alg"]
    assert inspection.algorithm is None
    assert inspect_token(_jwt({"alg": "HS256"}, {})).algorithm == "HS256"


@pytest.mark.parametrize(("cty", "nested"), [("JWT", True), ("jwt", True), ("Jwt", False)])
def test_a_nested_token_is_noted(cty: str, nested: bool) -> None:
    notes = inspect_token(_jwt({"alg": "HS256", "cty": cty}, {})).notes
    assert notes == (("Nested token (cty: JWT): the payload is itself a token.",) if nested else ())


def test_lone_surrogates_in_the_payload_are_replaced_and_flagged_once() -> None:
    inspection = inspect_token(_jwt({"alg": "HS256"}, b'{"sub": "\\udc00"}'))
    assert inspection.payload == {"sub": "\ufffd"}
    assert inspection.problems == (REPLACED,)
    both = inspect_token(f"{SURROGATE_HEADER}.{SURROGATE_PAYLOAD}.c2ln")
    assert both.problems == (REPLACED,)
    header_only = inspect_token(f"{SURROGATE_HEADER}.e30.c2ln")
    assert header_only.problems == (REPLACED,)


# ---------------------------------------------------------------------------------------------
# crit (RFC 7515 §4.1.11).

INVALID_CRIT = Problem(
    "invalid_crit",
    "The 'crit' header must be a non-empty list of distinct extension names "
    "(RFC 7515 §4.1.11): the token is invalid.",
    Severity.ERROR,
)


@pytest.mark.parametrize("crit", ["ext", [], [5], [""], ["ext", "ext"], None])
def test_a_malformed_crit_makes_the_token_invalid(crit: Any) -> None:
    header = {"alg": "HS256", "crit": crit, "ext": 1}
    assert inspect_token(_jwt(header, {})).problems == (INVALID_CRIT,)


def test_crit_naming_standard_parameters_is_invalid_and_names_them() -> None:
    crit = ["ext", "alg", "kid", "typ", "cty", "jku", "x5u", "x5c", "x5t", "enc"]
    header = {"alg": "HS256", "crit": crit, "ext": 1}
    assert inspect_token(_jwt(header, {})).problems == (
        Problem(
            "invalid_crit",
            "The 'crit' header lists standard parameters (alg, kid, typ, cty, jku, x5u, x5c, "
            "x5t), which RFC 7515 §4.1.11 forbids: the token is invalid.",
            Severity.ERROR,
        ),
    )


def test_crit_naming_an_extension_the_header_lacks_is_invalid() -> None:
    long_name = "e" * 50
    header = {"alg": "HS256", "crit": ["ext", long_name], "ext": 1}
    assert inspect_token(_jwt(header, {})).problems == (
        Problem(
            "invalid_crit",
            f"The 'crit' header names extensions (ext, {'e' * 40}) the header does not carry: "
            "the token is invalid.",
            Severity.ERROR,
        ),
    )


def test_a_well_formed_crit_is_understood_by_nobody_here() -> None:
    names = [f"x{i}" for i in range(10)]
    header = {"alg": "HS256", "crit": names, **dict.fromkeys(names, 1)}
    assert inspect_token(_jwt(header, {})).problems == (
        Problem(
            "critical_header",
            "Critical header extensions (x0, x1, x2, x3, x4, x5, x6, x7) must be understood by "
            "the receiver; TokenDeck implements none of them, so it will never verify this token.",
        ),
    )


# ---------------------------------------------------------------------------------------------
# Time claims.


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _invalid(name: str) -> Problem:
    return Problem(
        "invalid_claim",
        f"'{name}' is not a valid time (RFC 7519 wants seconds since 1970).",
        Severity.ERROR,
    )


def test_standard_time_claims_are_read_in_order_and_bad_ones_flagged() -> None:
    payload = {
        "updated_at": "2026-01-01T00:00:00+00:00",
        "auth_time": 1_700_000_000.5,
        "iat": True,
        "nbf": "2026-01-01T00:00:00Z",
        "exp": 1_700_003_600,
    }
    inspection = inspect_token(_jwt({"alg": "HS256"}, payload))
    assert inspection.time_claims == (
        TimeClaim("exp", _at(1_700_003_600), standard=True),
        TimeClaim("nbf", datetime(2026, 1, 1, tzinfo=UTC), standard=True),
        TimeClaim("auth_time", _at(1_700_000_000.5), standard=True),
        TimeClaim("updated_at", datetime(2026, 1, 1, tzinfo=UTC), standard=True),
    )
    assert inspection.problems == (_invalid("nbf"), _invalid("iat"))
    assert inspection.not_before == datetime(2026, 1, 1, tzinfo=UTC)
    assert inspection.issued_at is None


def test_an_unreadable_standard_claim_is_flagged_and_left_out() -> None:
    inspection = inspect_token(_jwt({"alg": "HS256"}, {"exp": "soon", "updated_at": [1]}))
    assert inspection.time_claims == ()
    assert inspection.problems == (_invalid("exp"), _invalid("updated_at"))


def test_other_numbers_in_the_plausible_range_look_like_times() -> None:
    payload = {
        "first": 946_684_800,
        "last": 4_102_444_800,
        "before": 946_684_799,
        "after": 4_102_444_801,
        "flag": True,
        "text": "1700000000",
        "half": 1_700_000_000.5,
    }
    inspection = inspect_token(_jwt({"alg": "HS256"}, payload))
    assert inspection.time_claims == (
        TimeClaim("first", _at(946_684_800), standard=False),
        TimeClaim("last", _at(4_102_444_800), standard=False),
        TimeClaim("half", _at(1_700_000_000.5), standard=False),
    )
    assert inspection.time_claims[0].epoch == 946_684_800


def test_lifetime_runs_from_not_before_or_issue_to_expiry() -> None:
    both = inspect_token(
        _jwt({"alg": "HS256"}, {"iat": 1_000_000_000, "nbf": 1_000_000_100, "exp": 1_000_003_600})
    )
    assert both.lifetime is not None and both.lifetime.total_seconds() == 3500
    issued = inspect_token(_jwt({"alg": "HS256"}, {"iat": 1_000_000_000, "exp": 1_000_003_600}))
    assert issued.lifetime is not None and issued.lifetime.total_seconds() == 3600
    assert inspect_token(_jwt({"alg": "HS256"}, {"exp": 1_000_003_600})).lifetime is None
    assert inspect_token(_jwt({"alg": "HS256"}, {"iat": 1_000_000_000})).lifetime is None
    assert both.is_jwt and not _opaque("x").is_jwt
