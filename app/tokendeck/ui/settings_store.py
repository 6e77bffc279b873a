"""AppSettings <-> the profile's settings.ini (QSettings, INI format; never a secret)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from tokendeck.core.settings import (
    AppSettings,
    StorePreference,
    Theme,
    format_thresholds,
    parse_thresholds,
)


def load_settings(qs: QSettings) -> AppSettings:
    defaults = AppSettings()
    try:
        thresholds = parse_thresholds(
            str(qs.value("warnings/thresholds", format_thresholds(defaults.thresholds)))
        )
    except ValueError:
        thresholds = defaults.thresholds
    seconds = qs.value("clipboard/seconds", defaults.clipboard_seconds, type=int)
    minimized = str(qs.value("startup/minimized", "false")).lower() == "true"
    auto_refresh = str(qs.value("tokens/auto_refresh", "true")).lower() == "true"
    try:
        store = StorePreference(str(qs.value("store/preference", StorePreference.AUTO.value)))
    except ValueError:
        store = StorePreference.AUTO
    try:
        theme = Theme(str(qs.value("appearance/theme", Theme.SYSTEM.value)))
    except ValueError:
        theme = Theme.SYSTEM
    return AppSettings(
        thresholds=thresholds,
        clipboard_seconds=max(5, min(600, int(seconds) if isinstance(seconds, int) else 20)),
        start_minimized=minimized,
        auto_refresh=auto_refresh,
        store=store,
        theme=theme,
    )


def save_settings(qs: QSettings, settings: AppSettings) -> None:
    qs.setValue("warnings/thresholds", format_thresholds(settings.thresholds))
    qs.setValue("clipboard/seconds", settings.clipboard_seconds)
    qs.setValue("startup/minimized", "true" if settings.start_minimized else "false")
    qs.setValue("tokens/auto_refresh", "true" if settings.auto_refresh else "false")
    qs.setValue("store/preference", settings.store.value)
    qs.setValue("appearance/theme", settings.theme.value)
    qs.sync()
