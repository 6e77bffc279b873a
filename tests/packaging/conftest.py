from __future__ import annotations

import pytest

from tests.packaging.built import Built, build


@pytest.fixture(scope="session")
def built() -> Built:
    return build()
