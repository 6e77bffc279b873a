"""One wording of a key's lifetime for the Create dialog and the Rotate question alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tokendeck.core.timefmt import lifetime_text


@pytest.mark.parametrize(
    ("lifetime", "said"),
    [
        (timedelta(days=365), "1 year"),
        (timedelta(days=366), "1 year"),
        (timedelta(days=365, milliseconds=333), "1 year"),
        (timedelta(days=730), "2 years"),
        (timedelta(days=90), "90 days"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=400), "400 days"),
        (timedelta(hours=5), "5 h"),
    ],
)
def test_lifetime_text(lifetime: timedelta, said: str) -> None:
    assert lifetime_text(lifetime) == said
