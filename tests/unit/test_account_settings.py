"""An account's settings are typed, read leniently and written back without loss."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
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
            "exec_env": "DL_JWT",
        }
    )
    assert settings == AccountSettings(
        inputs={"email": "dev@example.test", "mode": "cloud"},
        pinned=True,
        warn_thresholds=(86400, 3600),
        allowed_origins=("https://login.example",),
        ca_bundle="/etc/ca.pem",
        proxy="http://127.0.0.1:3128",
        exec_env="DL_JWT",
    )


@pytest.mark.parametrize(
    "stored",
    [
        {"inputs": "not a map"},
        {"inputs": {"a": ["x"], "b": 1}},
        {"pinned": "yes"},
        {"pinned": 1},
        {"warn_thresholds": ["7200"]},
        {"warn_thresholds": [3600, 0.5]},
        {"warn_thresholds": [True]},
        {"warn_thresholds": [1e300]},
        {"warn_thresholds": 3600},
        {"allowed_origins": "https://x.example"},
        {"allowed_origins": ["https://x.example", 7]},
        {"proxy": 3128},
        {"exec_env": "1-NOT A NAME"},
        {"exec_env": 5},
    ],
)
def test_a_value_this_release_cannot_read_exactly_is_kept_as_it_was(
    stored: dict[str, object],
) -> None:
    """Never fatal, never lost: the next write (a pin, an edit) puts it back unchanged."""
    settings = AccountSettings.from_json(stored)
    assert settings == AccountSettings(other=stored)
    assert settings.to_json() == stored
    pinned = replace(settings, pinned=True).to_json()
    assert {k: v for k, v in pinned.items() if k != "pinned"} == {
        k: v for k, v in stored.items() if k != "pinned"
    }


@pytest.mark.parametrize("stored", [None, [1, 2], "text", 7])
def test_settings_that_are_not_an_object_read_as_the_defaults(stored: object) -> None:
    assert AccountSettings.from_json(stored) == AccountSettings()


def test_a_null_is_the_default_and_whole_floats_are_seconds() -> None:
    assert AccountSettings.from_json({"pinned": None, "inputs": None}) == AccountSettings()
    assert AccountSettings.from_json({"warn_thresholds": [3600.0, 60]}).warn_thresholds == (
        3600,
        60,
    )


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


# Generation time depends on the machine's load (2.9 s for the first input once, under a full
# suite beside benchmarks), not on the code under test.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "inputs",
                "pinned",
                "warn_thresholds",
                "allowed_origins",
                "ca_bundle",
                "proxy",
                "exec_env",
                "x",
            ]
        ),
        json_values,
    )
)
def test_reading_what_was_written_gives_the_same_settings(stored: dict[str, Any]) -> None:
    settings = AccountSettings.from_json(stored)
    assert AccountSettings.from_json(settings.to_json()) == settings
