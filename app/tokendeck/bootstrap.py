"""Composition root: the one place that builds and wires everything for the window."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from tokendeck import APP_ID, APP_NAME, __version__
from tokendeck.app_logging import HeldLog, hold_logging
from tokendeck.quit_watchdog import QuitWatchdog
from tokendeck.storage.profile import Profile, resolve_profile

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QApplication as QApplicationLike

    from tokendeck.services.app_services import AppServices
    from tokendeck.services.door import Door
    from tokendeck.services.event_bus import EventBus
    from tokendeck.services.key_lookup import KeyLookup
    from tokendeck.storage.first_read import FirstRead
    from tokendeck.ui.main_window import MainWindow as QMainWindowLike

log = logging.getLogger(__name__)

# The benches set this to measure the real app (see ui/probes.py), which then quits by itself.
STARTUP_PROBE_ENV = "TOKENDECK_STARTUP_PROBE"
# How long the furnished window waits for the first read of the accounts (storage/first_read.py)
# when it is not over yet: a read of a few ms that a busy machine has kept waiting. Without it
# the rows wait for the engine to open (asyncio, the services, the catalog: a few hundred ms),
# after the loop's first turn has made the `Qt` namespace (see ui/probes.py). A read stuck on a
# locked file costs the start this much, once.
FIRST_READ_WAITS_AT_MOST = 0.25


def run_gui(args: argparse.Namespace) -> int:
    demo_dir: tempfile.TemporaryDirectory[str] | None = None
    if args.demo:
        demo_dir = tempfile.TemporaryDirectory(prefix="tokendeck-demo-")
        profile = resolve_profile(demo_dir.name)
    else:
        profile = resolve_profile(args.profile)
    profile.ensure()
    logs = hold_logging(profile.log_path)  # the file opens once the first rows are shown
    faulthandler.enable()  # a crash in Qt or a C extension still leaves Python's stacks
    log.info("TokenDeck %s starting (profile %s)", __version__, profile.data_dir)
    watchdog = QuitWatchdog(profile.log_path)
    try:
        return _run_qt(args, profile, logs, on_quit=watchdog.arm)
    finally:
        log.info("TokenDeck stopped")
        logs.open()
        logging.shutdown()
        if demo_dir is not None:
            demo_dir.cleanup()


def _run_qt(
    args: argparse.Namespace,
    profile: Profile,
    logs: HeldLog,
    on_quit: Callable[[], None] | None = None,
) -> int:
    """The window's whole life. `on_quit` is called once quit is asked (the watchdog)."""
    from tokendeck.ui.pyside_speedups import faster_feature_check

    faster_feature_check()  # before the first PySide6 import: see pyside_speedups

    # Before the first paint, only what the window's frame needs (ui/main_window.py): the
    # engine, the tabs and the async loop are imported once it is on screen.
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from tokendeck.ui.application import TokenDeckApplication
    from tokendeck.ui.gc_guard import MainThreadGC
    from tokendeck.ui.icons import app_icon
    from tokendeck.ui.main_window import MainWindow
    from tokendeck.ui.settings_store import load_settings
    from tokendeck.ui.single_instance import InstanceServer, notify_running_instance
    from tokendeck.ui.theme import apply_theme
    from tokendeck.ui.tray import Tray
    from tokendeck.ui.unix_signals import SignalWatcher

    # argv[0] names the X11 WM_CLASS: keep it "tokendeck" however we were started.
    app = QApplication.instance() or TokenDeckApplication([APP_ID])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)

    if notify_running_instance(profile.instance_key):
        print("TokenDeck is already running: raised its window.", file=sys.stderr)
        return 0
    instance = InstanceServer(profile.instance_key)

    # Before any other thread runs (the first read): the collector frees Qt objects on this
    # thread only.
    collector = MainThreadGC()

    settings = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    apply_theme(app, load_settings(settings).theme)
    has_tray = Tray.available()
    window = MainWindow(None, None, settings, has_tray=has_tray)  # the frame: see furnish()
    quit_event: asyncio.Event | None = None
    quit_asked = False

    def request_quit() -> None:
        nonlocal quit_asked
        if not quit_asked:
            log.info("quit asked")
            if on_quit is not None:
                on_quit()
        quit_asked = True
        if quit_event is not None:
            quit_event.set()

    window.quit_requested.connect(request_quit)
    app.aboutToQuit.connect(request_quit)
    instance.raise_requested.connect(window.bring_to_front)
    if isinstance(app, TokenDeckApplication):  # (a test's application is not)
        app.on_quit = window.request_quit
    # Before the window shows: a SIGTERM from then on is an orderly quit.
    watcher = SignalWatcher(window.request_quit)
    probe = os.environ.get(STARTUP_PROBE_ENV)
    if probe:
        from tokendeck.ui.probes import install_probe

        install_probe(window, probe)

    start_hidden = args.minimized or window.app_settings.start_minimized
    shown = not (start_hidden and has_tray)
    first_read: FirstRead | None = None
    if shown:
        window.show()
        _paint_now(app, window)
        if not args.demo:  # (the demo's accounts are made after the engine opens)
            from tokendeck.storage.first_read import FirstRead

            # On a thread while the tabs' modules load (after the paint: it would share the
            # interpreter with it): see first_read.
            first_read = FirstRead.start(profile.catalog_path)

    # What the Accounts table needs, then its first rows on screen; the rest after them.
    from tokendeck.services.door import Door
    from tokendeck.services.event_bus import EventBus
    from tokendeck.ui.ticker import Ticker

    ticker = Ticker()
    lookups: list[KeyLookup] = []

    def key_lookup() -> KeyLookup:
        if not lookups:
            from tokendeck.services.key_lookup import KeyLookup

            lookups.append(KeyLookup())
        return lookups[0]

    bus = EventBus()
    door = Door(bus)
    window.furnish(door, ticker, key_lookup)
    if probe:
        from tokendeck.ui.probes import install_furnished_probe

        install_furnished_probe(window, probe)
    first_accounts = (
        first_read.accounts(wait_at_most=FIRST_READ_WAITS_AT_MOST) if first_read else None
    )
    if first_accounts is not None:
        window.accounts_tab.show_first(first_accounts)
        if shown:
            _repaint_now(app, window)

    logs.open()  # the records so far, to the file (see app_logging)
    from tokendeck.ui.error_reporter import ErrorReporter
    from tokendeck.ui.wiring import wire

    reporter = ErrorReporter(window, profile.log_path)
    reporter.install()
    tray = Tray() if has_tray else None

    if tray is not None:
        tray.clear_clipboard_requested.connect(lambda: window.clipboard.clear("now"))
        tray.notification_clicked.connect(window.show_credential)
        tray.show_requested.connect(
            lambda: window.hide() if window.isVisible() else window.bring_to_front()
        )
        window.visibility_changed.connect(tray.set_window_visible)
        window.clipboard.countdown.connect(
            lambda seconds, _label: tray.set_clipboard_countdown(seconds)
        )
        window.clipboard.cleared.connect(lambda _why: tray.set_clipboard_countdown(0))
        tray.quit_requested.connect(window.request_quit)
        window.tray_notice.connect(lambda title, text: tray.icon.showMessage(title, text))
        tray.show()
        if shown:
            tray.set_window_visible(True)  # it was shown before the tray heard of it
    log.info("window %s (tray: %s)", "shown" if shown else "in the tray", "yes" if tray else "no")
    # After the first paint: no control has the keyboard focus before the window is up, and
    # its style and frame cost the paint 30 ms. (A child of the application: lives as long.)
    from tokendeck.ui.focus_ring import FocusRing

    FocusRing(app)

    # The async engine loads after the first paint: the window appears sooner.
    import asyncio

    import qasync

    async def main() -> None:
        from tokendeck.services.must_finish import unfinished

        nonlocal quit_event
        quit_event = asyncio.Event()
        if quit_asked:
            quit_event.set()
        wire(door, window, tray)
        services = await _start_services(args, profile, window, door, bus)
        await quit_event.wait()
        window.save_state()
        window.clipboard.clear("quit")
        window.hide()
        # Cancel what the UI still has running (a reload, a listing) before the services close,
        # but let what must finish end (a new key's secret being kept; the watchdog bounds it).
        finishing = unfinished()
        pending = [
            t for t in asyncio.all_tasks() if t is not asyncio.current_task() and t not in finishing
        ]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await asyncio.gather(*finishing, return_exceptions=True)
        if tray is not None:
            tray.hide()
        if services is not None:
            await services.aclose()
        for lookup in lookups:
            await lookup.aclose()
        log.info("quit: services closed")

    try:
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            runner.get_loop().set_exception_handler(reporter.loop_exception)
            runner.run(main())
    finally:
        collector.stop()
        watcher.close()
        ticker.stop()
        instance.close()
        reporter.uninstall()
        window.deleteLater()
    return 0


async def _start_services(
    args: argparse.Namespace,
    profile: Profile,
    window: QMainWindowLike,
    door: Door,
    bus: EventBus,
) -> AppServices | None:
    """Open the engine behind the window's door. The catalog opens first, then the door is
    connected and the waiting tabs get their rows; the secret store opens meanwhile
    (`AppServices.open`) and the window hears when it has."""
    import asyncio

    from tokendeck.core.settings import StorePreference
    from tokendeck.services.app_services import AppServices
    from tokendeck.storage.catalog import CatalogError
    from tokendeck.ui.vault_dialog import DialogVaultPrompt

    world = None
    rows_shown: asyncio.Event | None = None
    if args.demo:
        from tokendeck.demo import start_world

        world = start_world()  # its seeding keeps secrets: the store must not wait for rows
    else:
        rows_shown = asyncio.Event()
        window.accounts_tab.rows_shown.connect(rows_shown.set)
    try:
        services = await AppServices.open(
            profile.catalog_path,
            profile.vault_path,
            DialogVaultPrompt(window),
            bus=bus,
            memory_store=bool(args.demo),
            prefer_vault=window.app_settings.store is StorePreference.VAULT,
            store_after=rows_shown,
        )
    except CatalogError as exc:
        log.error("catalog: %s", exc)
        door.fail(str(exc))
        window.show_unavailable(str(exc))
        return None
    if world is not None:
        from tokendeck.demo import seed

        # Before the door connects: the first rows the window shows are the demo's.
        await seed(services, world)
        services.add_closer(world.stop)
        window.show_message("Demo: every account talks to a local sandbox; secrets stay in memory.")
    door.connect(services)
    services.start_background()
    return services


def _repaint_now(app: QApplicationLike, window: QMainWindowLike) -> None:
    """Paint what changed in the window at once: its layouts, then the paint, and nothing else
    of what is queued (a timer a tab set for the running loop would run without one)."""
    from PySide6.QtCore import QEvent

    app.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
    window.repaint()


def _paint_now(app: QApplicationLike, window: QMainWindowLike, budget: float = 0.5) -> None:
    """Let Qt map and paint the window before the asyncio loop starts (bounded wait)."""
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        handle = window.windowHandle()
        if handle is not None and handle.isExposed():
            break
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)
    app.processEvents()
