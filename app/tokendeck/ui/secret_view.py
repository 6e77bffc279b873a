"""A secret shown masked until asked for, as KeePassXC does: dots and its length, an eye button
(Ctrl+H) that shows it and hides it again.

While masked, the secret is in no widget at all (no text a screen grab, an accessibility client
or a drag could read); shown, it is in a read-only plain-text box (a PEM key has several lines),
and hiding it again wipes the box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from tokendeck.core.secret import Secret
from tokendeck.ui.icons import Act, set_icon

MASK = "•" * 16
SHOW_SHORTCUT = "Ctrl+H"


class SecretView(QWidget):
    def __init__(self, secret: Secret, what: str, parent: QWidget | None = None) -> None:
        """`what` names the secret for a screen reader ("The new secret")."""
        super().__init__(parent)
        self._secret = secret
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        length = len(secret.reveal())
        self.masked = QLabel(f"{MASK}   ({length} characters, hidden)")
        self.masked.setObjectName("secret-masked")
        self.masked.setFont(fixed)
        self.masked.setAccessibleName(f"{what}, hidden")
        self.plain = QPlainTextEdit()
        self.plain.setObjectName("secret-plain")
        self.plain.setReadOnly(True)
        self.plain.setFont(fixed)
        self.plain.setAccessibleName(what)
        self.plain.setMaximumHeight(90)
        self.toggle = QPushButton("Show")
        self.toggle.setObjectName("secret-toggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip(f"Show or hide the secret ({SHOW_SHORTCUT})")
        self.toggle.setAccessibleName("Show the secret")
        self.toggle.toggled.connect(self.set_shown)
        set_icon(self.toggle, Act.SHOW)
        shortcut = QShortcut(QKeySequence(SHOW_SHORTCUT), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)  # also with the focus on Copy
        shortcut.activated.connect(self.toggle.toggle)
        # Not a stacked widget: it would be as tall as the shown box even while masked.
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.masked, 1)
        row.addWidget(self.plain, 1)
        row.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        self.set_shown(False)

    @property
    def shown(self) -> bool:
        return not self.plain.isHidden()

    def set_shown(self, shown: bool) -> None:
        self.plain.setPlainText(self._secret.reveal() if shown else "")
        self.masked.setHidden(shown)
        self.plain.setHidden(not shown)
        self.toggle.setChecked(shown)
        self.toggle.setText("Hide" if shown else "Show")
        self.toggle.setAccessibleName("Hide the secret" if shown else "Show the secret")
        set_icon(self.toggle, Act.HIDE if shown else Act.SHOW)

    def wipe(self) -> None:
        """Forget the shown text (the dialog is closing)."""
        self.set_shown(False)
