"""Copying secrets: set with "keep out of history" hints, count down, clear only if still ours.

On X11 the secret goes to the clipboard and the primary selection with
`x-kde-passwordManagerHint: secret` (Klipper and most clipboard managers skip it); on macOS
`org.nspasteboard.ConcealedType`; on Windows `ExcludeClipboardContentFromMonitorProcessing`,
`CanIncludeInClipboardHistory = 0` and `CanUploadToCloudClipboard = 0`. After the timeout the
clipboard and selection are cleared only if they still hold that secret: a later copy by the user
is never wiped. Quitting clears too.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QByteArray, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

from tokendeck.core.secret import Secret

DEFAULT_TIMEOUT_SECONDS = 20
KDE_HINT = "x-kde-passwordManagerHint"
_DWORD_ZERO = b"\x00\x00\x00\x00"


def _hint_formats() -> dict[str, bytes]:
    if sys.platform == "darwin":
        return {'application/x-qt-mime-type-name;value="org.nspasteboard.ConcealedType"': b""}
    if sys.platform == "win32":
        return {
            'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"': b"1",
            'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"': _DWORD_ZERO,
            'application/x-qt-windows-mime;value="CanUploadToCloudClipboard"': _DWORD_ZERO,
        }
    return {KDE_HINT: b"secret"}


class ClipboardGuard(QObject):
    countdown = Signal(int, str)  # seconds left, label
    cleared = Signal(str)  # why

    def __init__(
        self, timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.timeout_seconds = timeout_seconds
        self._secret: Secret | None = None
        self._label = ""
        self._left = 0
        self._wiped = False
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    @property
    def active(self) -> bool:
        return self._secret is not None

    @property
    def seconds_left(self) -> int:
        return self._left

    @property
    def wiped(self) -> bool:
        """Whether the last clear took our secret off the clipboard (False when the clipboard
        held something else by then, which was left alone)."""
        return self._wiped

    def counting_down_for(self, secret: Secret) -> bool:
        """Whether `secret` is the one on the clipboard whose countdown runs now."""
        return self._secret is not None and self._secret == secret

    def _modes(self) -> list[QClipboard.Mode]:
        clipboard = QGuiApplication.clipboard()
        modes = [QClipboard.Mode.Clipboard]
        if clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        return modes

    def copy_secret(self, secret: Secret, label: str) -> None:
        clipboard = QGuiApplication.clipboard()
        for mode in self._modes():
            data = QMimeData()
            data.setText(secret.reveal())
            for fmt, value in _hint_formats().items():
                data.setData(fmt, QByteArray(value))
            clipboard.setMimeData(data, mode)
        self._secret = secret
        self._label = label
        self._left = self.timeout_seconds
        self._timer.start()
        self.countdown.emit(self._left, label)

    def _tick(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self.clear("timeout")
        else:
            self.countdown.emit(self._left, self._label)

    def holds_our_secret(self, mode: QClipboard.Mode = QClipboard.Mode.Clipboard) -> bool:
        if self._secret is None:
            return False
        data = QGuiApplication.clipboard().mimeData(mode)
        return data is not None and data.text() == self._secret.reveal()

    def clear(self, why: str = "now") -> None:
        """Clear what we put there; leave anything the user copied since."""
        self._timer.stop()
        self._wiped = False
        if self._secret is not None:
            clipboard = QGuiApplication.clipboard()
            for mode in self._modes():
                if self.holds_our_secret(mode):
                    clipboard.clear(mode)
                    self._wiped = self._wiped or mode is QClipboard.Mode.Clipboard
        self._secret = None
        self._left = 0
        self.cleared.emit(why)
