"""Redaction of held secrets: the registry keeps the newest `MAX_REMEMBERED`, masks each value as
written, JSON- or URL-escaped, the longest first; and a text cut at `MAX_CHARS` keeps what it
should, drops a word cut in half and masks a held value whose beginning ends the text."""

from __future__ import annotations

import gc
import json

from tokendeck.core import redaction
from tokendeck.core.redaction import MASK, MAX_CHARS, MAX_REMEMBERED, redact
from tokendeck.core.secret import Secret


def _cut_mark(cut: int) -> str:
    return f" […{cut} more characters cut]"


# ---------------------------------------------------------------------------------------------
# The registry.


def test_a_full_registry_masks_all_its_secrets_and_forgets_the_oldest_first() -> None:
    oldest = Secret("the oldest held value of all")
    newer = [Secret(f"held filler number {i:04d}") for i in range(MAX_REMEMBERED - 1)]
    assert redact("x the oldest held value of all y") == f"x {MASK} y", "exactly full: all held"
    newest = Secret("the newest held value of all")
    assert redact("x the newest held value of all y") == f"x {MASK} y"
    assert redact("x the oldest held value of all y") == "x the oldest held value of all y"
    assert redact("x held filler number 0000 y") == f"x {MASK} y"
    del oldest, newer, newest


def test_using_a_held_secret_makes_it_the_most_recent() -> None:
    used = Secret("a value used again later")
    newer = [Secret(f"recency filler number {i:04d}") for i in range(MAX_REMEMBERED - 1)]
    assert used.reveal() == "a value used again later"
    newest = Secret("one more value pushes one out")
    assert redact("a value used again later") == MASK
    assert redact("recency filler number 0000") == "recency filler number 0000"
    del used, newer, newest


def test_a_dead_secret_does_not_hide_the_live_ones_after_it() -> None:
    dead = Secret("a value that dies first 1")
    alive = Secret("a value that stays alive 2")
    del dead
    gc.collect()
    assert redact("a value that dies first 1") == "a value that dies first 1"
    assert redact("a value that stays alive 2") == MASK
    del alive


def test_what_cannot_be_weakly_held_is_not_held() -> None:
    class Unreferenceable:
        __slots__ = ("_value",)

        def __init__(self, value: str) -> None:
            self._value = value

    redaction.remember(Unreferenceable("never held by the registry"))
    assert redact("never held by the registry") == "never held by the registry"


def test_a_value_of_the_minimum_length_is_masked_by_value_and_a_shorter_one_is_not() -> None:
    eight = Secret("pa55word")
    seven = Secret("pa55wrd")
    assert len(eight) == redaction.MIN_REMEMBERED_CHARS
    assert redact("login pa55word ok") == f"login {MASK} ok"
    assert redact("login pa55wrd ok") == "login pa55wrd ok"
    del eight, seven


def test_a_held_value_inside_a_longer_one_is_masked_with_it() -> None:
    inner = Secret("zulu inner value")
    outer = Secret("alpha zulu inner value omega")
    assert redact("x alpha zulu inner value omega y") == f"x {MASK} y"
    assert redact("x zulu inner value y") == f"x {MASK} y"
    del inner, outer


# ---------------------------------------------------------------------------------------------
# Escaped forms.


def test_a_held_value_is_masked_in_json_whatever_it_must_escape() -> None:
    values = [
        "back\\slash in a value",
        'say "quoted" in a value',
        "line one\nline two",
        "column one\tcolumn two",
    ]
    held = [Secret(v) for v in values]
    for value in values:
        text = json.dumps({"v": value})
        assert value not in text, "the test needs the escaped form"
        assert redact(text) == '{"v": "***"}', (value, redact(text))
    del held


def test_a_held_value_is_masked_in_a_url_query_slashes_and_spaces_escaped() -> None:
    held = Secret("path/to secret+value")
    assert redact("q=path%2Fto%20secret%2Bvalue&x=1") == f"q={MASK}&x=1"
    assert redact("q=path%2Fto+secret%2Bvalue&x=1") == f"q={MASK}&x=1"
    del held


def test_escaped_forms_are_masked_for_every_held_value() -> None:
    # Longest first: a plain value (nothing to escape) and one whose start is absent come first.
    plain = Secret("plainheldvaluewithnothingodd")
    absent = Secret("an absent longer odd value here")
    spaced = Secret("spaced held value")
    assert redact("q=spaced%20held%20value") == f"q={MASK}"
    assert redact('{"v": "spaced held value"}') == f'{{"v": "{MASK}"}}'
    del plain, absent, spaced


def test_a_value_with_a_lone_surrogate_is_masked_as_written_and_json_escaped() -> None:
    held = Secret('lone \ud800 "quoted" value')
    assert redact('x lone \ud800 "quoted" value y') == f"x {MASK} y"
    assert redact('{"v": "lone \ud800 \\"quoted\\" value"}') == f'{{"v": "{MASK}"}}'
    del held


# ---------------------------------------------------------------------------------------------
# The cut at MAX_CHARS.


def test_a_text_of_exactly_the_bound_is_not_cut() -> None:
    text = ("ab " * (MAX_CHARS // 3 + 1))[:MAX_CHARS]
    assert redact(text) == text


def test_a_cut_that_falls_on_a_space_keeps_every_character_before_it() -> None:
    text = "xx" + "ab " * 30_000
    assert text[MAX_CHARS] == " " and text[MAX_CHARS - 1] == "b"
    assert redact(text) == text[:MAX_CHARS] + _cut_mark(len(text) - MAX_CHARS)


def test_a_word_cut_in_half_is_dropped_back_to_the_last_space() -> None:
    # Two spaces within the drop window; the cut word carries an X (not a separator).
    head = "y" * (MAX_CHARS - 100) + " " + "y" * 95 + " "
    text = head + "abXdefgh" + " rest" * 100
    assert len(head) == MAX_CHARS - 3
    assert redact(text) == head + _cut_mark(len(text) - len(head))


def test_a_word_longer_than_the_drop_window_is_cut_not_dropped() -> None:
    held = Secret("yankee held value")  # starts like the text's end, but is not there
    text = "lead " + "y" * (MAX_CHARS + 500)
    assert redact(text) == text[:MAX_CHARS] + _cut_mark(len(text) - MAX_CHARS)
    del held


def test_a_held_value_cut_by_the_bound_is_masked_from_its_first_character() -> None:
    held = Secret("secret01 secret01 tail of the longer value")
    text = "y" * (MAX_CHARS - 40) + " secret01 x " + held.reveal() + " more" * 50
    kept = "y" * (MAX_CHARS - 40) + " secret01 x secret01 secret01 tail of "
    assert text.startswith(kept) and not text[len(kept) :].startswith(" ")
    expected = "y" * (MAX_CHARS - 40) + f" secret01 x {MASK}" + _cut_mark(len(text) - len(kept))
    assert redact(text) == expected
    del held


def test_a_held_value_cut_by_the_bound_is_found_one_character_on() -> None:
    held = Secret("aaaaaaaab held value here")
    text = "y" * (MAX_CHARS - 20) + " a" + held.reveal() + " tail" * 50
    kept = "y" * (MAX_CHARS - 20) + " aaaaaaaaab held "
    assert text.startswith(kept)
    expected = "y" * (MAX_CHARS - 20) + f" a{MASK}" + _cut_mark(len(text) - len(kept))
    assert redact(text) == expected
    del held


def test_a_held_value_of_the_drop_window_length_is_masked_when_cut() -> None:
    long = Secret(" ".join(f"x{i:04d}" for i in range(200)))  # longer: left to the shape rules
    value = " ".join(f"w{i:04d}" for i in range(171))[:1024]
    held = Secret(value)
    assert len(value) == 1024 and len(long) > 1024
    text = "y" * (MAX_CHARS - 500) + " " + value + " end" * 10
    out = redact(text)
    assert out.startswith("y" * (MAX_CHARS - 500) + f" {MASK} […"), out[-80:]
    assert "w0000" not in out
    del long, held
