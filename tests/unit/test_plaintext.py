"""core/plaintext: reading .env files as python-dotenv does (checked against it over generated
files), with the span of each binding so its lines can be taken out; the Dataloop SDK's cookie;
an OpenSSH key block; masking."""

from __future__ import annotations

import io
import json

import pytest
from dotenv import dotenv_values
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tokendeck.core import plaintext

NAMES = st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True)
BLANK = st.sampled_from(["", " ", "\t"])
UNQUOTED = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\"'\\"
    ),
    max_size=20,
).filter(lambda v: not v[:1].isspace())
SINGLE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="'\\\r"),
    max_size=20,
)
DOUBLE = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters='"\\\r'),
        st.sampled_from(["\\n", '\\"', "\\t", "\\\\n", "\\'", "\n"]),
    ),
    max_size=20,
).map("".join)


@st.composite
def binding_lines(draw: st.DrawFn) -> str:
    name = draw(NAMES)
    export = draw(st.sampled_from(["", "export "]))
    form = draw(st.sampled_from(["unquoted", "single", "double"]))
    if form == "unquoted":
        value = draw(UNQUOTED)
    elif form == "single":
        value = "'" + draw(SINGLE) + "'"
    else:
        value = '"' + draw(DOUBLE) + '"'
    comment = draw(st.sampled_from(["", "  # a comment", " #"]))
    return f"{draw(BLANK)}{export}{name}{draw(BLANK)}={draw(BLANK)}{value}{comment}"


ENV_FILES = st.lists(
    st.one_of(binding_lines(), st.sampled_from(["", "# comment", "   ", "# A=1"])), max_size=8
).map(lambda lines: "\n".join(lines) + "\n")


@settings(max_examples=400, deadline=None)
@given(ENV_FILES)
@example("A=#  # a comment\n")  # found by CI: a value starting with # and then a comment
def test_read_env_agrees_with_python_dotenv(text: str) -> None:
    theirs = dotenv_values(stream=io.StringIO(text), interpolate=False)
    ours = {b.name: b.value for b in plaintext.read_env(text)}
    assert ours == {k: v for k, v in theirs.items() if v is not None}


@settings(max_examples=200, deadline=None)
@given(ENV_FILES, st.data())
def test_taking_bindings_out_leaves_every_other_binding_as_it_was(
    text: str, data: st.DataObject
) -> None:
    bindings = plaintext.read_env(text)
    gone = data.draw(st.sets(st.sampled_from([b.name for b in bindings]))) if bindings else set()
    left = plaintext.without_spans(text, [(b.start, b.end) for b in bindings if b.name in gone])
    expected = {b.name: b.value for b in bindings if b.name not in gone}
    assert {b.name: b.value for b in plaintext.read_env(left)} == expected
    assert dotenv_values(stream=io.StringIO(left), interpolate=False).keys() >= expected.keys()


def test_spans_cover_whole_lines_and_a_quoted_value_over_several_lines() -> None:
    text = 'A=1\nKEY="line one\nline two"  # c\nB=2\n'
    a, key, b = plaintext.read_env(text)
    assert (key.value, key.line, b.line) == ("line one\nline two", 2, 4)
    assert plaintext.without_spans(text, [(key.start, key.end)]) == "A=1\nB=2\n"
    assert text[a.start : a.end] == "A=1\n"


def test_crlf_files_and_an_unclosed_quote() -> None:
    [a, b] = plaintext.read_env('A=one\r\nBROKEN="never closed\r\nB=two\r\n')
    assert (a.name, a.value, b.name, b.value) == ("A", "one", "B", "two")


def test_cookie_logins_reads_each_environment_holding_a_token() -> None:
    cookie = {
        "url": "https://gate.dataloop.ai/api/v1",
        "login_parameters": {
            "https://gate.dataloop.ai/api/v1": {
                "token": "t1",
                "refresh_token": "r1",
                "alias": "prod",
            },
            "https://rc.example/api/v1": {"token": None, "alias": "rc"},
            "https://dev.example/api/v1": {"token": "t3", "gate_url": "https://dev.example"},
            "broken": 7,
        },
    }
    logins = plaintext.cookie_logins(json.dumps(cookie))
    assert [(c.environment, c.token.reveal(), c.alias) for c in logins] == [
        ("https://gate.dataloop.ai/api/v1", "t1", "prod"),
        ("https://dev.example/api/v1", "t3", ""),
    ]
    assert logins[0].refresh_token is not None and logins[1].refresh_token is None


@pytest.mark.parametrize("text", ["not json", "[]", '{"url": "x"}', "[" * 10_000])
def test_a_file_that_is_not_a_cookie_says_so_without_quoting_it(text: str) -> None:
    with pytest.raises(plaintext.NotThisKindError) as raised:
        plaintext.cookie_logins(text)
    assert text[:8] not in str(raised.value) or text == "[]"


def test_an_openssh_key_only_where_the_text_starts_with_it() -> None:
    block = f"{plaintext.SSH_BEGIN}\nAAAA\n{plaintext.SSH_END}"
    assert plaintext.openssh_private_key(f"\n{block}\n\ntrailing") is not None
    assert plaintext.openssh_private_key(f"KEY={block}") is None
    assert plaintext.openssh_private_key(plaintext.SSH_BEGIN) is None


def test_masked_shows_little_of_a_long_value_and_nothing_of_a_short_one() -> None:
    assert plaintext.masked("eyJhbGciOiJIUzI1NiJ9.payload.signature-xyz") == "eyJh…-xyz"
    assert plaintext.masked("short-secret") == "••••••••"


def test_what_follows_a_closing_quote_must_be_a_comment_or_nothing() -> None:
    text = "A='x' B=2\nC=\"y\"  # fine\n"
    assert [(b.name, b.value) for b in plaintext.read_env(text)] == [("C", "y")]
    assert dotenv_values(stream=io.StringIO(text), interpolate=False).get("C") == "y"


def test_a_long_run_of_spaces_is_read_in_linear_time_and_as_python_dotenv_reads_it() -> None:
    # 200,000 spaces: the regular expression `\s+#.*` takes minutes over this, the scan does not.
    text = "A=x" + " " * 200_000 + "y #c\n"
    [binding] = plaintext.read_env(text)
    assert binding.value == "x" + " " * 200_000 + "y"


def test_a_binding_never_shows_its_value_in_its_repr() -> None:
    [binding] = plaintext.read_env("DATALOOP_TOKEN=the-secret-value\n")
    assert "the-secret-value" not in repr(binding)


def test_the_key_type_is_read_without_the_passphrase() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    from tokendeck.core.secret import Secret

    for key, kind in (
        (ed25519.Ed25519PrivateKey.generate(), "ssh-ed25519"),
        (ec.generate_private_key(ec.SECP256R1()), "ecdsa-sha2-nistp256"),
    ):
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.BestAvailableEncryption(b"pw"),
        )
        assert plaintext.openssh_key_type(Secret(pem.decode())) == kind
    broken = f"{plaintext.SSH_BEGIN}\nAAAA\n{plaintext.SSH_END}"
    assert plaintext.openssh_key_type(Secret(broken)) is None
