from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.tokens import b64url, claims, hs256, trifacta_token, unsigned
from tokendeck.core.token_assess import AssessPolicy, TokenStatus, assess
from tokendeck.core.token_decode import TokenFormatError, TokenKind, inspect_token

NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    "wrap",
    [
        "{t}",
        "  {t}\n",
        "Bearer {t}",
        "bearer   {t}",
        "Authorization: Bearer {t}",
        "authorization:bearer {t}",
        '"{t}"',
        "'Bearer {t}'",
        '{{"access_token": "{t}", "token_type": "Bearer"}}',
    ],
)
def test_wrappers_are_recognised(wrap: str) -> None:
    token, _ = hs256(claims())
    inspection = inspect_token(wrap.format(t=token))
    assert inspection.kind is TokenKind.JWS
    assert inspection.token.reveal() == token
    assert inspection.payload is not None and inspection.payload["sub"] == "user-1"


def test_token_split_over_lines_is_joined() -> None:
    token, _ = hs256(claims())
    wrapped = "\n".join(token[i : i + 40] for i in range(0, len(token), 40))
    inspection = inspect_token(wrapped)
    assert inspection.token.reveal() == token
    assert any("several lines" in n for n in inspection.notes)


def test_time_claims_status_and_lifetime() -> None:
    token, _ = hs256(
        claims(lifetime=7200, auth_time=int(NOW.timestamp()) - 60, custom_at=1_800_000_000)
    )
    inspection = inspect_token(token)
    names = {c.name: c.standard for c in inspection.time_claims}
    assert names == {"exp": True, "iat": True, "auth_time": True, "custom_at": False}
    assert inspection.lifetime == timedelta(hours=2)
    result = assess(inspection, NOW)
    assert result.status is TokenStatus.VALID
    assert result.remaining is not None and timedelta(hours=1, minutes=58) < result.remaining


def test_expired_expiring_and_not_yet_valid() -> None:
    now = int(NOW.timestamp())
    expired = inspect_token(hs256({"iat": now - 7200, "exp": now - 3600})[0])
    result = assess(expired, NOW)
    assert result.status is TokenStatus.EXPIRED
    assert "expired" in [p.code for p in result.problems]
    soon = inspect_token(hs256({"iat": now - 3000, "exp": now + 600})[0])
    assert assess(soon, NOW).status is TokenStatus.EXPIRING_SOON
    later = inspect_token(hs256({"nbf": now + 600, "exp": now + 3600})[0])
    result = assess(later, NOW)
    assert result.status is TokenStatus.NOT_YET_VALID
    assert "not_yet_valid" in [p.code for p in result.problems]
    assert (
        assess(later, NOW, AssessPolicy(leeway=timedelta(minutes=11))).status
        is not TokenStatus.NOT_YET_VALID
    )


def test_problems_no_exp_iat_future_skew_lifetime_crit() -> None:
    now = int(NOW.timestamp())
    codes = lambda t: [p.code for p in assess(inspect_token(t), NOW).problems]  # noqa: E731
    assert "no_exp" in codes(hs256({"sub": "x"})[0])
    assert "iat_in_future" in codes(hs256({"iat": now + 3600, "exp": now + 7200})[0])
    assert "clock_skew" in codes(hs256({"iat": now + 60, "exp": now + 7200})[0])
    assert "lifetime_too_long" in codes(hs256({"iat": now, "exp": now + 10 * 365 * 86400})[0])
    # crit names an extension the header carries: understood by nobody here, but well-formed.
    assert "critical_header" in codes(hs256({"exp": now + 60}, crit=["exp"], exp=now + 60)[0])
    # crit names one the header lacks (RFC 7515 §4.1.11): malformed, so the token is invalid.
    assert "invalid_crit" in codes(hs256({"exp": now + 60}, crit=["exp"])[0])
    assert "invalid_claim" in codes(hs256({"exp": "tomorrow"})[0])


def test_alg_none_is_decoded_and_flagged() -> None:
    inspection = inspect_token(unsigned({"sub": "x", "exp": 2_000_000_000}))
    assert inspection.kind is TokenKind.UNSECURED_JWT
    assert "alg_none" in [p.code for p in inspection.problems]


def test_jwe_header_only() -> None:
    header = b64url(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM"}).encode())
    inspection = inspect_token(
        f"{header}.{b64url(b'k' * 32)}.{b64url(b'iv')}.{b64url(b'ct')}.{b64url(b'tag')}"
    )
    assert inspection.kind is TokenKind.JWE
    assert inspection.header == {"alg": "RSA-OAEP", "enc": "A256GCM"}
    assert inspection.payload is None
    assert [p.code for p in inspection.problems] == ["encrypted"]


def test_trifacta_token_id_shown_secret_masked() -> None:
    value, token_id, secret = trifacta_token()
    inspection = inspect_token(value)
    assert inspection.kind is TokenKind.TRIFACTA
    assert inspection.trifacta_token_id == token_id
    assert secret not in json.dumps(inspection.payload)
    assert secret not in repr(inspection)


def test_opaque_and_not_a_token() -> None:
    assert inspect_token("glpat-abcdefghijklmnop").kind is TokenKind.OPAQUE
    for bad, code in [
        ("", "empty"),
        ("   \n", "empty"),
        ("hello world how are you", "not_a_token"),
        ("eyJub3QganNvbg.eyJ9.sig", "malformed_jwt"),
        ("x" * 300_000, "too_long"),
    ]:
        with pytest.raises(TokenFormatError) as info:
            inspect_token(bad)
        assert info.value.code == code


def test_error_messages_never_quote_the_input() -> None:
    secretish = "eyJ" + "A" * 10 + ".eyJ9.c2ln  with spaces"
    with pytest.raises(TokenFormatError) as info:
        inspect_token(secretish)
    assert "AAAAAAAAAA" not in str(info.value)


def test_repr_of_inspection_hides_the_token() -> None:
    token, _ = hs256(claims())
    assert token not in repr(inspect_token(token))


def test_a_five_part_token_with_a_foreign_character_is_a_broken_jwe() -> None:
    header = b64url(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM"}).encode())
    with pytest.raises(TokenFormatError) as info:
        inspect_token(f"{header}.a2V5.aXY.Y3Q*.dGFn")
    assert info.value.code == "malformed_jwt"


def test_a_trailing_x_is_data_not_padding() -> None:
    # Only '=' is padding: five characters ending in 'X' are one too many for base64url.
    header = b64url(b'{"alg":"HS256","typ":"JWT"}')
    with pytest.raises(TokenFormatError) as info:
        inspect_token(f"{header}.{b64url(b'{}')}.c2lnX")
    assert info.value.code == "malformed_jwt" and "signature" in str(info.value)


def test_three_parts_whose_header_is_not_an_object_are_not_a_jwt() -> None:
    array_header = b64url(b"[1]")  # 'WzFd': valid base64url JSON, but no JWT header
    inspection = inspect_token(f"{array_header}.{b64url(b'{}')}.c2ln")
    assert inspection.kind is TokenKind.OPAQUE
    assert inspection.header is None


@pytest.mark.parametrize("name", ["exp", "nbf", "iat"])
def test_an_iso_date_in_a_numeric_time_claim_is_invalid(name: str) -> None:
    token, _ = hs256({**claims(), name: "2030-01-01T00:00:00Z"})
    problems = [p for p in inspect_token(token).problems if p.code == "invalid_claim"]
    assert len(problems) == 1 and f"'{name}'" in problems[0].message
