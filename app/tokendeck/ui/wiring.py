"""Every subscription of the window to the engine's events, in one place.

The engine publishes (services/events.py); the window, the tray and the desktop notifications
listen, and this module is the only one that says who listens to what. Widgets are given the
`Door` in their constructors; none of them subscribes by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokendeck.services.events import (
    AccountsChanged,
    CredentialsChanged,
    ExpirySummary,
    ExpiryWarning,
    RefreshFailed,
    SecretsChecked,
    StoreChanged,
)

if TYPE_CHECKING:
    from tokendeck.services.door import Door
    from tokendeck.ui.main_window import MainWindow
    from tokendeck.ui.tray import Tray


def wire(door: Door, window: MainWindow, tray: Tray | None) -> None:
    """Subscribe the window (and the tray, or the desktop's notifications without one) to the
    engine behind `door`, then ask for the first rows."""
    door.subscribe(AccountsChanged, lambda _: window.accounts_tab.reload())
    door.subscribe(CredentialsChanged, lambda _: window.reload_tokens())
    door.subscribe(StoreChanged, lambda event: window.set_store(event.status))
    door.subscribe(
        SecretsChecked, lambda event: window.on_secrets_checked(event.report, held=event.held)
    )
    report = door.held_report()
    if report is not None:  # the engine checked before the window was wired (tests)
        window.on_secrets_checked(report, held=True)
    window.set_store(door.store_status())
    _wire_notifications(door, window, tray)
    if tray is not None:
        _wire_tray(door, window, tray)
    window.load()


def _wire_notifications(door: Door, window: MainWindow, tray: Tray | None) -> None:
    """Warnings go to the desktop's notifications, else the tray's balloon, else the status
    bar (ui/notifier.py); each opens what it is about."""
    from tokendeck.ui.expiry_alerts import ExpiryAlerts
    from tokendeck.ui.notifier import Notifier

    notifier = Notifier(window.show_message, window.show_credential, tray=tray)
    alerts = ExpiryAlerts(notifier, door.now)
    door.subscribe(ExpiryWarning, alerts.on_warning)
    door.subscribe(ExpirySummary, alerts.on_summary)
    door.subscribe(RefreshFailed, alerts.on_refresh_failed)


def _wire_tray(door: Door, window: MainWindow, tray: Tray) -> None:
    from tokendeck.ui.tray_status import TrayStatus

    status = TrayStatus(tray, door)
    for event in (ExpiryWarning, ExpirySummary, RefreshFailed):
        door.subscribe(event, lambda _: status.refresh())
    door.subscribe(AccountsChanged, lambda _: status.refresh())
    door.subscribe(CredentialsChanged, lambda _: status.refresh())
    tray.copy_token_requested.connect(window.copy_account_token)
    window.ticker.tick.connect(status.on_tick)

    # The first refresh loads the platform adapters: after the window has its rows.
    if window.accounts_tab.rows_were_shown:
        status.refresh()
    else:
        window.accounts_tab.rows_shown.connect(status.refresh)
