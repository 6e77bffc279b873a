"""The Connection rows of the account form: a CA certificate file and a proxy, behind a
disclosure button (most accounts need neither; one that has either shows them open)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from tokendeck.core.models import AccountSettings
from tokendeck.ui.working_dialog import FormGrid, error_label

CA_FILTER = "Certificates (*.pem *.crt *.cer);;All files (*)"
NAMES = ("ca_bundle", "proxy")


class ConnectionRows:
    """Built into a `FormGrid`; `shown(False)` hides everything (an account with no host)."""

    def __init__(self, form: FormGrid, settings: AccountSettings) -> None:
        self.toggle = QToolButton()
        self.toggle.setObjectName("account-connection-toggle")
        self.toggle.setText("Connection")
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName("Connection settings: CA certificate file and proxy")
        self.toggle.setToolTip(
            "A CA certificate file for a host whose certificate your system does not trust, "
            "and a proxy"
        )
        self.toggle.toggled.connect(self._opened)
        form.across(self.toggle)

        self.ca_bundle = QLineEdit(settings.ca_bundle)
        self.ca_bundle.setObjectName("account-ca-bundle")
        self.ca_bundle.setAccessibleName("CA certificate file")
        self.ca_bundle.setPlaceholderText("empty: the certificates the system trusts")
        self.browse = QPushButton("Browse…")
        self.browse.setObjectName("account-ca-browse")
        self.browse.setAutoDefault(False)
        self.browse.setAccessibleName("Browse for a CA certificate file")
        self.browse.clicked.connect(self._browse)
        ca_row = QWidget()
        ca_row.setObjectName("account-ca-row")
        row = QHBoxLayout(ca_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ca_bundle, 1)
        row.addWidget(self.browse)
        ca_row.setFocusProxy(self.ca_bundle)
        self.proxy = QLineEdit(settings.proxy)
        self.proxy.setObjectName("account-proxy")
        self.proxy.setAccessibleName("Proxy")
        self.proxy.setPlaceholderText("empty: none, e.g. http://proxy.example:3128")

        self.errors = {name: error_label(f"error-{name}") for name in NAMES}
        self._parts: list[QWidget] = [
            form.add("CA certificate:", ca_row, "label-account-ca-bundle"),
            ca_row,
        ]
        form.under(self.errors["ca_bundle"])
        self._parts += [form.add("Proxy:", self.proxy), self.proxy]
        form.under(self.errors["proxy"])
        self._shown = True
        self.toggle.setChecked(bool(settings.ca_bundle or settings.proxy))
        self._opened(self.toggle.isChecked())

    def fields(self) -> dict[str, QWidget]:
        return {"ca_bundle": self.ca_bundle, "proxy": self.proxy}

    def values(self) -> tuple[str, str]:
        """(CA file, proxy) as they would be kept (empty when the rows are hidden)."""
        if not self._shown:
            return "", ""
        ca = self.ca_bundle.text().strip()
        return (str(Path(ca).expanduser()) if ca else ""), self.proxy.text().strip()

    def shown(self, shown: bool) -> None:
        self._shown = shown
        self.toggle.setVisible(shown)
        self._opened(shown and self.toggle.isChecked())

    def open(self) -> None:
        """Show the rows (a message is about one of them)."""
        self.toggle.setChecked(True)

    def _opened(self, opened: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if opened else Qt.ArrowType.RightArrow)
        visible = opened and self._shown
        for part in self._parts:
            part.setVisible(visible)
        for label in self.errors.values():
            label.setVisible(visible and bool(label.text()))
        window = self.toggle.window()
        fit = getattr(window, "fit_to_content", None)
        if window.isVisible() and callable(fit):
            fit(shrink=True)

    def _browse(self) -> None:
        start = self.ca_bundle.text().strip() or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(
            self.toggle.window(), "CA certificate file", start, CA_FILTER
        )
        if chosen:
            self.ca_bundle.setText(chosen)
