"""The tray judges from a bounded read (`Catalog.attention_candidates`): it must come to the same
worst state and the same next expiries as judging every credential, whatever the catalog holds."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokendeck.core.models import (
    Account,
    AccountSettings,
    AccountStatus,
    Credential,
    CredentialKind,
    CredentialRole,
    CredentialState,
    Platform,
)
from tokendeck.core.verdict import urgency
from tokendeck.platforms.registry import CAPABILITIES
from tokendeck.services.standing import (
    ExpiryPolicy,
    attention,
    next_expiries,
    warn_horizon,
    worst_state,
)
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import Catalog

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
HOUR = 3600

accounts_st = st.lists(
    st.tuples(
        st.sampled_from([Platform.DATALOOP, Platform.HAUT, Platform.MANUAL, Platform.ENCORD]),
        st.sampled_from(list(AccountStatus)),
        st.one_of(st.none(), st.lists(st.integers(0, 90 * 24 * HOUR), min_size=1, max_size=3)),
    ),
    min_size=1,
    max_size=4,
)
credentials_st = st.lists(
    st.tuples(
        st.integers(0, 4),  # account index (4: none)
        st.sampled_from(["session", "input", None]),
        st.sampled_from([None, True, False]),  # meta "renewable"
        st.one_of(st.none(), st.integers(-30 * 24 * HOUR, 200 * 24 * HOUR)),  # expiry offset
        st.booleans(),  # revoked
        st.sampled_from(["a", "b", "c"]),  # label (ties on purpose)
    ),
    max_size=30,
)


def _fill(catalog: Catalog, accounts: list, credentials: list) -> None:
    ids = []
    for i, (platform, status, thresholds) in enumerate(accounts):
        account = catalog.add_account(
            Account(
                id="",
                name=f"acc{i}",
                platform=platform,
                host="https://h.example.test",
                settings=AccountSettings.from_json({"warn_thresholds": thresholds}),
            )
        )
        catalog.set_account_status(account.id, status)
        ids.append(account.id)
    for i, (index, role, renewable, offset, revoked, label) in enumerate(credentials):
        meta: dict[str, object] = {}
        if renewable is not None:
            meta["renewable"] = renewable
        catalog.upsert_credential(
            Credential(
                id=f"c{i:02d}",
                kind=CredentialKind.SESSION_TOKEN if role == "session" else CredentialKind.API_KEY,
                label=label,
                account_id=ids[index] if index < len(ids) else None,
                expires_at=NOW + timedelta(seconds=offset) if offset is not None else None,
                state=CredentialState.REVOKED if revoked else CredentialState.ACTIVE,
                meta=meta,
                role=CredentialRole(role) if role else None,
            )
        )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    accounts=accounts_st,
    credentials=credentials_st,
    auto=st.booleans(),
    soonest=st.integers(1, 5),
)
def test_the_bounded_read_judges_as_the_whole_catalog(
    accounts: list, credentials: list, auto: bool, soonest: int
) -> None:
    policy = ExpiryPolicy(auto_refresh=auto)
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog(Path(tmp) / "c.sqlite3")
        try:
            _fill(catalog, accounts, credentials)
            everything = policy.hold_all(
                catalog.list_credentials(), {a.id: a for a in catalog.list_accounts()}
            )
            horizon = warn_horizon(policy, NOW, catalog.widest_warn_threshold())
            found, by_id = catalog.attention_candidates(
                horizon,
                renewing_platforms=[p.value for p, c in CAPABILITIES.items() if c.refresh],
                auto_refresh=auto,
                soonest=soonest,
            )
            bounded = policy.hold_all(found, by_id)
        finally:
            catalog.close()
    state, worst = worst_state(everything, NOW)
    bounded_state, bounded_worst = worst_state(bounded, NOW)
    assert bounded_state == state
    assert (worst is None) == (bounded_worst is None)
    if worst is not None and bounded_worst is not None:
        assert urgency(bounded_worst.verdict(NOW)) == urgency(worst.verdict(NOW))
    assert [h.credential.id for h in next_expiries(bounded, NOW, soonest)] == [
        h.credential.id for h in next_expiries(everything, NOW, soonest)
    ]


async def test_attention_reads_far_fewer_rows_than_the_catalog_holds(tmp_path: Path) -> None:
    catalog = await AsyncCatalog.open(tmp_path / "c.sqlite3")
    try:
        for i in range(300):
            await catalog.upsert_credential(
                Credential(
                    id=f"k{i:03d}",
                    kind=CredentialKind.API_KEY,
                    label=f"key {299 - i:03d}",  # the label order is not the expiry order
                    expires_at=NOW + timedelta(days=10 + i),
                ),
            )
        due = Credential(
            id="due", kind=CredentialKind.API_KEY, label="due", expires_at=NOW + timedelta(hours=2)
        )
        await catalog.upsert_credential(due)
        held = await attention(catalog, ExpiryPolicy(), NOW, 5)
        assert sorted(h.credential.id for h in held) == [
            "due",
            "k000",
            "k001",
            "k002",
            "k003",
            "k004",
        ]
        assert [h.credential.id for h in next_expiries(held, NOW, 3)] == ["due", "k000", "k001"]
        state, worst = worst_state(held, NOW)
        assert state == "warning" and worst is not None and worst.credential.id == "due"
    finally:
        await catalog.aclose()


def test_holding_many_is_holding_each_with_one_thresholds_tuple_per_account() -> None:
    policy = ExpiryPolicy(thresholds=(timedelta(hours=1), timedelta(days=7)))
    own = Account(
        id="own",
        name="own",
        platform=Platform.HAUT,
        host="https://h.test",
        settings=AccountSettings(warn_thresholds=(60, 86_400)),
    )
    plain = Account(id="plain", name="plain", platform=Platform.DATALOOP, host="https://d.test")
    accounts = {a.id: a for a in (own, plain)}
    credentials = [
        Credential(
            id=f"c{i}",
            kind=CredentialKind.SESSION_TOKEN if i % 4 == 0 else CredentialKind.API_KEY,
            label=f"c{i}",
            account_id=("own", "plain", None, "gone")[i % 4],
            role=CredentialRole.SESSION if i % 4 == 0 else None,
        )
        for i in range(12)
    ]
    held = policy.hold_all(credentials, accounts)
    assert held == [policy.hold(c, accounts.get(c.account_id or "")) for c in credentials]
    assert held[0].thresholds == (timedelta(days=1), timedelta(minutes=1))
    assert held[1].thresholds == (timedelta(days=7), timedelta(hours=1))
    assert held[0].thresholds is held[4].thresholds, "one tuple per account"
    assert held[2].thresholds is held[3].thresholds, "and one for the credentials of none"
