"""An account's settings are typed, read leniently and written back without loss."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokendeck.core.models import AccountSettings


def test_the_known_keys_are_typed() -> None:
    settings = AccountSettings.from_json(
        {
            "inputs": {"email": "dev@example.test", "mode": "cloud"},
            "pinned": True,
            "warn_thresholds": [3600, 86400],
            "allowed_origins": ["https://login.example"],
            "ca_bundle": "/etc/ca.pem",
            "proxy": "http://127.0.0.1:3128",
        }
    )
    assert settings == AccountSettings(
        inputs={"email": "dev@example.test", "mode": "cloud"},
        pinned=True,
        warn_thresholds=(86400, 3600),
        allowed_origins=("https://login.example",),
        ca_bundle="/etc/ca.pem",
        proxy="http://127.0.0.1:3128",
    )


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (None, AccountSettings()),
        ([1, 2], AccountSettings()),
        ({"inputs": "not a map"}, AccountSettings()),
        ({"inputs": {"a": ["x"], "b": 1}}, AccountSettings(inputs={"b": "1"})),
        ({"pinned": "yes"}, AccountSettings()),  # only true is true
        (
            {"warn_thresholds": ["7200", "soon", -5, 0, 1e300, 2.5]},
            AccountSettings(warn_thresholds=(7200, 2)),
        ),
        ({"warn_thresholds": 3600}, AccountSettings()),
        ({"allowed_origins": "https://x.example"}, AccountSettings()),
        (
            {"allowed_origins": ["https://x.example", 7]},
            AccountSettings(allowed_origins=("https://x.example",)),
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_dropped_not_fatal(
    stored: object, expected: AccountSettings
) -> None:
    assert AccountSettings.from_json(stored) == expected


def test_keys_of_a_later_release_are_kept_and_written_back() -> None:
    stored = {"pinned": True, "theme": "dark", "colour": {"r": 1}}
    settings = AccountSettings.from_json(stored)
    assert settings.pinned and dict(settings.other) == {"theme": "dark", "colour": {"r": 1}}
    assert settings.to_json() == stored


def test_defaults_are_not_written() -> None:
    assert AccountSettings().to_json() == {}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(
    st.dictionaries(
        st.sampled_from(
            ["inputs", "pinned", "warn_thresholds", "allowed_origins", "ca_bundle", "proxy", "x"]
        ),
        json_values,
    )
)
def test_reading_what_was_written_gives_the_same_settings(stored: dict[str, Any]) -> None:
    settings = AccountSettings.from_json(stored)
    assert AccountSettings.from_json(settings.to_json()) == settings
