"""`Secret`: every text form is masked, only `reveal()` gives the value, equality and hashing
follow the value, it never pickles, and the redaction registry learns it on creation and use."""

from __future__ import annotations

import pickle

import pytest

from tokendeck.core import redaction
from tokendeck.core.redaction import MASK, redact
from tokendeck.core.secret import Secret

VALUE = "s3cr3t-value-for-secret-tests"


def test_a_secret_gives_its_value_back_only_through_reveal() -> None:
    assert Secret(VALUE).reveal() == VALUE


@pytest.mark.parametrize("not_text", [None, b"bytes-are-not-text", 42, ["a"]])
def test_a_secret_wraps_only_text_and_says_so(not_text: object) -> None:
    with pytest.raises(TypeError) as info:
        Secret(not_text)  # type: ignore[arg-type]
    assert str(info.value) == "Secret wraps a str"


def test_a_secret_never_shows_its_value_in_repr_str_or_format() -> None:
    secret = Secret(VALUE)
    assert repr(secret) == "Secret('***')"
    assert str(secret) == "Secret('***')"
    assert f"{secret}" == "Secret('***')"
    assert f"{secret:>40}" == "Secret('***')", "a format spec does not reach the value"
    assert format(secret, "s") == "Secret('***')"
    assert "{} {!r}".format(*[secret] * 2) == "Secret('***') Secret('***')"
    assert VALUE not in repr([secret, {"k": secret}])


def test_a_secret_is_true_when_it_holds_text_and_false_when_empty() -> None:
    assert bool(Secret(VALUE)) is True
    assert bool(Secret("x")) is True
    assert bool(Secret("")) is False


def test_a_secrets_length_is_its_values_length() -> None:
    assert len(Secret(VALUE)) == len(VALUE)
    assert len(Secret("")) == 0


def test_secrets_are_equal_when_their_values_are() -> None:
    assert Secret(VALUE) == Secret(VALUE)
    assert Secret(VALUE) != Secret(VALUE + "x")
    assert Secret("abc") != Secret("abd")
    assert Secret("") == Secret("")


def test_a_secret_is_never_equal_to_its_plain_value_or_other_objects() -> None:
    secret = Secret(VALUE)
    assert secret != VALUE
    assert VALUE != secret  # noqa: SIM300 (str's side of the comparison)
    assert secret != None  # noqa: E711
    assert secret.__eq__(VALUE) is NotImplemented
    assert secret.__eq__(None) is NotImplemented


def test_equal_secrets_hash_alike_and_different_ones_apart() -> None:
    assert hash(Secret(VALUE)) == hash(Secret(VALUE))
    assert hash(Secret("first value")) != hash(Secret("second value"))
    assert len({Secret(VALUE), Secret(VALUE), Secret("other")}) == 2
    assert {Secret(VALUE): 1}[Secret(VALUE)] == 1


def test_a_secret_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError) as info:
        pickle.dumps(Secret(VALUE))
    assert str(info.value) == "a Secret cannot be pickled"


def test_a_new_secret_is_masked_in_logs_before_it_is_ever_revealed() -> None:
    secret = Secret("created but never revealed")
    assert redact("echo created but never revealed end") == f"echo {MASK} end"
    del secret


def test_revealing_a_forgotten_secret_makes_redaction_mask_it_again() -> None:
    secret = Secret("revealed again after eviction")
    newer = [Secret(f"newer-secret-filler-{i:04d}") for i in range(redaction.MAX_REMEMBERED)]
    assert "revealed again after eviction" in redact("revealed again after eviction")
    assert secret.reveal() == "revealed again after eviction"
    assert redact("echo revealed again after eviction") == f"echo {MASK}"
    del newer
