"""The reliability fault matrix, fast: every sandbox fault kind (once, and 500 / reset 20 times in
a row) on one operation per platform, through the real services over real HTTP; the state must
stay consistent (tests/flows/fault_matrix.py says what is checked). The whole matrix, with a
table: bench/reliability_faults.py.

Cells marked xfail are known inconsistencies in the app, each with its reason; strict, so a fix
makes them fail until the mark goes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.flows.fault_matrix import (
    INCONSISTENT,
    PLATFORMS,
    SINGLE,
    Harness,
    Variant,
    names_id,
    new_principal,
    operations,
    platform_keys,
    start_world,
    then_fault,
    world_key,
)
from tokendeck.core.errors import TokenDeckError
from tokendeck.core.models import Account, Platform
from tokendeck.sandbox.control import FAULT_KINDS
from tokendeck.sandbox.world import SandboxWorld

# One operation per platform: the one where a fault can do the most harm there.
FAST = {
    Platform.DATALOOP: "create_key",
    Platform.HAUT: "revoke_key",
    Platform.ENCORD: "create_key",
    Platform.VISUAL_LAYER: "sign_in",
    Platform.TRIFACTA: "sign_in",
    Platform.OAUTH2: "refresh",
}
VARIANTS = (*SINGLE, Variant("500", 20), Variant("reset", 20))

LOST_CREATE = (
    "an ambiguous create is not reconciled: the sandbox carried the create out and cut the "
    "answer; TokenDeck raises a NetworkError that neither holds the new {what} nor names its id, "
    "so it stays live on the platform unknown to the user ({where})"
)
KNOWN: dict[tuple[Platform, str, str], str] = {}


def _cells() -> list[object]:
    params: list[object] = []
    for platform, op in FAST.items():
        for variant in VARIANTS:
            reason = KNOWN.get((platform, op, variant.label))
            marks = (
                [pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)]
                if reason
                else []
            )
            params.append(
                pytest.param(
                    platform, op, variant, marks=marks, id=f"{platform.value}-{op}-{variant.label}"
                )
            )
    return params


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    """A world where every platform takes faults (the OIDC issuer gets the fault control the
    other sandbox apps have), shared by the module: each cell signs in a fresh principal of its
    own, and every fault and setting is cleared after each test (_reset_faults)."""
    sandbox, _ = start_world()
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def _reset_faults(world: SandboxWorld) -> Iterator[None]:
    yield
    for base in world.urls.values():
        httpx.post(f"{base}/__sandbox/reset", timeout=5)


def test_the_matrix_covers_every_platform_and_fault_kind(world: SandboxWorld) -> None:
    assert {world_key(p) for p in PLATFORMS} == set(world.apps()), "a platform is left out"
    assert tuple(v.kind for v in SINGLE) == FAULT_KINDS
    assert set(FAST) == set(PLATFORMS)
    for platform, op in FAST.items():
        assert op in operations(platform), f"{platform.value} cannot {op}"


@pytest.mark.parametrize(("platform", "op", "variant"), _cells())
async def test_a_fault_leaves_a_consistent_state(
    world: SandboxWorld, tmp_path: Path, platform: Platform, op: str, variant: Variant
) -> None:
    async with Harness(world, tmp_path) as harness:
        cell = await harness.run(platform, op, variant)
    assert cell.outcome != INCONSISTENT, (
        f"{cell.name} is INCONSISTENT (error: {cell.error or 'none'}):\n"
        + "\n".join(f"  - {problem}" for problem in cell.problems)
    )
    assert cell.hits, f"{cell.name}: the fault never reached the platform"
    assert cell.recovered, f"{cell.name}: no recovery was recorded"


@pytest.mark.parametrize(
    ("platform", "op", "variant"),
    [
        pytest.param(Platform.TRIFACTA, "create_key", Variant("500"), id="trifacta-create-500"),
        pytest.param(
            Platform.VISUAL_LAYER, "sign_in", Variant("500"), id="visual_layer-sign_in-500"
        ),
        pytest.param(
            Platform.VISUAL_LAYER, "sign_in", Variant("reset"), id="visual_layer-sign_in-reset"
        ),
    ],
)
async def test_error_messages_say_what_happened(  # known message defects, state consistent
    world: SandboxWorld, tmp_path: Path, platform: Platform, op: str, variant: Variant
) -> None:
    async with Harness(world, tmp_path) as harness:
        cell = await harness.run(platform, op, variant)
    assert cell.outcome != INCONSISTENT, cell.problems
    assert not cell.notes, f"{cell.name}: " + "; ".join(cell.notes)


@pytest.mark.parametrize("then", ["500", "reset"])
async def test_an_ambiguous_create_whose_reconciling_list_fails_still_warns(
    world: SandboxWorld, tmp_path: Path, then: str
) -> None:
    async with Harness(world, tmp_path) as harness:
        accounts = harness.svc.accounts
        who = new_principal(world, Platform.DATALOOP)
        account = await accounts.add(
            Account(
                id="", name="ambiguous", platform=Platform.DATALOOP, host=world.urls["dataloop"]
            ),
            who.inputs,
            who.secrets,
        )
        account = await harness.svc.sessions.sign_in(account)
        control = world.dataloop.control
        control.queued.append(("drop_answer", "POST"))
        with (
            then_fault(control, "drop_answer", then, "GET", 4),
            pytest.raises(TokenDeckError) as info,
        ):
            await harness.svc.keys.create_key(account, "ambiguous", None)
        made = list(platform_keys(world, Platform.DATALOOP, who))
        assert len(made) == 1, "the create was carried out once"
        held = [c for c in await accounts.credentials(account) if c.remote_id == made[0]]
        said = str(info.value)
        warned = "may have created the key" in said and "“ambiguous”" in said
        # The listing that would find the id fails too: the key cannot be named, but it is never
        # silently lost — the error says it may exist, under which name, and what to do.
        assert held or names_id(said, made[0]) or warned, (
            f"key {made[0]} exists on the platform, unheld and unnamed: {info.value.details()}"
        )
