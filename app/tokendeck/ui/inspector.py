"""The Inspector: paste anything, see what it is, when it expires, what is wrong, and verify it.

Longer than most modules (~530 lines): one pane of many small read-only views (summary, times,
claims, problems) and the verify panel, all refreshed from the same inspection each second; the
decoding, judging and verifying themselves live in core and services/signature_check.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.problems import Problem, Severity
from tokendeck.core.secret import Secret
from tokendeck.core.timefmt import format_duration, local_text, utc_iso
from tokendeck.core.token_assess import AssessPolicy, TokenStatus, assess, kind_text
from tokendeck.core.token_decode import CLAIM_DOCS, Inspection, TokenFormatError, inspect_token
from tokendeck.core.token_report import time_phrase, token_verdict
from tokendeck.core.verdict import State, Verdict
from tokendeck.ui.claims_json import ClaimsJson
from tokendeck.ui.icons import Act, icon, tone_icon
from tokendeck.ui.status_style import badge_colors, is_dark, token_part_color, tone_color
from tokendeck.ui.task_runner import TaskRunner
from tokendeck.ui.ticker import Ticker
from tokendeck.ui.token_highlight import TokenPartsHighlighter

if TYPE_CHECKING:
    from tokendeck.services.key_lookup import KeyLookup

KEY_KINDS: tuple[tuple[str, str], ...] = (
    ("hmac", "HMAC secret (text)"),
    ("hmac_base64", "HMAC secret (base64)"),
    ("pem", "PEM public key / certificate"),
    ("jwk", "JWK"),
    ("jwks", "JWKS (key set)"),
    ("jwks_url", "JWKS URL"),
    ("discover", "OIDC discovery from iss"),
)


def _monospace() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def _plain_label(name: str = "") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


class InspectorPane(QWidget):
    """Emits `track_requested(label, token)` when the user asks to track the pasted token."""

    track_requested = Signal(str, object)

    def __init__(
        self,
        ticker: Ticker,
        key_lookup: Callable[[], KeyLookup] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self._ticker = ticker
        self._key_lookup = key_lookup
        self._inspection: Inspection | None = None
        self._verification: Any = None
        self._key_checked = False  # the verification above tried a key that could be read
        self._runner = TaskRunner(parent=self)  # the verdict shows in the pane itself
        self._policy = AssessPolicy()
        self.verdict: Verdict | None = None

        self.input = QPlainTextEdit()
        self.input.setObjectName("inspector-input")
        self.input.setAccessibleName("Token to inspect")
        self.input.setPlaceholderText(
            "Paste a token: eyJ…, Bearer eyJ…, Authorization: Bearer …, a JSON response with an "
            "access_token, a Trifacta token, or any opaque string."
        )
        self.input.setFont(_monospace())
        self.input.setMaximumHeight(84)
        self.input.setTabChangesFocus(True)
        self.input.textChanged.connect(self._on_text_changed)
        self.highlighter = TokenPartsHighlighter(
            self.input.document(), dark=is_dark(self.palette())
        )
        self.badge = QLabel()
        self.badge.setObjectName("inspector-badge")
        self.badge.setTextFormat(Qt.TextFormat.PlainText)
        self.badge.setAccessibleName("Verdict")
        self.badge.hide()

        # Everything below shows token-derived text: plain text only, never rich text (an `iss`
        # holding HTML must not draw a fake `sub`).
        self.kind_label = _plain_label()
        self.status_label = _plain_label("inspector-status")
        self.status_label.setWordWrap(True)
        self.expiry_label = _plain_label("inspector-expiry")
        self.identity_label = _plain_label()
        self.identity_label.setWordWrap(True)
        self.identity_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signature_label = _plain_label("inspector-signature")
        self.signature_label.setWordWrap(True)
        self.track_button = QPushButton("Track this token…")
        self.track_button.setToolTip("Save it with a label and get warned before it expires")
        self.track_button.clicked.connect(self._ask_track)
        self.copy_json_button = QPushButton("Copy JSON")
        self.copy_json_button.setToolTip(
            "Copy header and payload as JSON (no signature, no secret)"
        )
        self.copy_json_button.clicked.connect(self._copy_json)
        summary_box = QGroupBox("Summary")
        summary = QFormLayout(summary_box)
        summary.addRow("Kind:", self.kind_label)
        summary.addRow("Verdict:", self.status_label)
        summary.addRow("Expiry:", self.expiry_label)
        summary.addRow("Identity:", self.identity_label)
        summary.addRow("Signature:", self.signature_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.track_button)
        buttons.addWidget(self.copy_json_button)
        buttons.addStretch(1)
        summary.addRow(buttons)

        self.claims = QTreeWidget()
        self.claims.setObjectName("inspector-claims")
        self.claims.setAccessibleName("Header and payload claims")
        self.claims.setHeaderLabels(["Claim", "Value", "Meaning"])
        self.claims.setAlternatingRowColors(True)
        self.claims.setUniformRowHeights(True)
        self.claims.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.claims.header().setStretchLastSection(True)
        self.claims.setColumnWidth(1, 280)

        self.times = QTreeWidget()
        self.times.setObjectName("inspector-times")
        self.times.setAccessibleName("Time claims")
        self.times.setHeaderLabels(["Claim", "UTC", "Local", "Relative"])
        self.times.setRootIsDecorated(False)
        self.times.setUniformRowHeights(True)
        self.times.setMaximumHeight(110)
        self.times.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.problems = QListWidget()
        self.problems.setObjectName("inspector-problems")
        self.problems.setAccessibleName("Problems found")
        self.problems.setMaximumHeight(76)

        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(summary_box)
        details_layout.addWidget(QLabel("<b>Times</b>"))
        details_layout.addWidget(self.times)
        details_layout.addWidget(QLabel("<b>Problems</b>"))
        details_layout.addWidget(self.problems)
        self.lower_tabs = QTabWidget()
        self.lower_tabs.setObjectName("inspector-lower-tabs")
        self.json_view = ClaimsJson()
        self.lower_tabs.addTab(self.json_view, "JSON")
        self.lower_tabs.addTab(self.claims, "Claims explained")
        self.lower_tabs.addTab(self._build_verify_panel(), "Verify signature")
        details_layout.addWidget(self.lower_tabs, 1)

        self.message = QLabel(
            "Nothing to inspect yet. Paste a token above: TokenDeck decodes it locally and never "
            "sends it anywhere unless you ask it to fetch keys."
        )
        self.message.setObjectName("inspector-message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(details)

        layout = QVBoxLayout(self)
        heading = QHBoxLayout()
        heading.addWidget(QLabel("<b>Inspector</b>"))
        heading.addStretch(1)
        heading.addWidget(self.badge)
        layout.addLayout(heading)
        layout.addWidget(self.input)
        layout.addWidget(self.stack, 1)
        ticker.tick.connect(self._on_tick)
        self._show_message(self.message.text())

    def _build_verify_panel(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        self.key_kind = QComboBox()
        self.key_kind.setAccessibleName("Key kind")
        for value, text in KEY_KINDS:
            self.key_kind.addItem(text, value)
        self.key_kind.currentIndexChanged.connect(self._on_key_kind_changed)
        self.key_input = QPlainTextEdit()
        self.key_input.setAccessibleName("Key material")
        self.key_input.setFont(_monospace())
        self.key_input.setMaximumHeight(90)
        self.key_input.setTabChangesFocus(True)
        # A shared secret is a secret: masked as a password, with an eye to show it.
        self.secret_input = QLineEdit()
        self.secret_input.setAccessibleName("HMAC secret")
        self.secret_input.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_input.setFont(_monospace())
        self.show_secret = self.secret_input.addAction(
            icon(Act.SHOW), QLineEdit.ActionPosition.TrailingPosition
        )
        self.show_secret.setToolTip("Show or hide the secret")
        self.show_secret.setCheckable(True)
        self.show_secret.toggled.connect(self._show_secret_toggled)
        self.key_url = QLineEdit()
        self.key_url.setAccessibleName("JWKS URL")
        self.key_url.setPlaceholderText("https://issuer.example/.well-known/jwks.json")
        self.load_key_button = QPushButton("Load from file…")
        self.load_key_button.clicked.connect(self._load_key_file)
        self.issuer_input = QLineEdit()
        self.issuer_input.setPlaceholderText("optional: required iss")
        self.issuer_input.setAccessibleName("Required issuer")
        self.audience_input = QLineEdit()
        self.audience_input.setPlaceholderText("optional: required aud")
        self.audience_input.setAccessibleName("Required audience")
        self.leeway = QDoubleSpinBox()
        self.leeway.setAccessibleName("Leeway in seconds")
        self.leeway.setRange(0, 3600)
        self.leeway.setSuffix(" s")
        self.leeway.setDecimals(0)  # whole seconds: "0 s", not "0.00 s"
        self.leeway.valueChanged.connect(self._on_leeway_changed)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setObjectName("inspector-verify")
        self.verify_button.clicked.connect(self._start_verify)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_kind, 1)
        key_row.addWidget(self.load_key_button)
        form.addRow("Key:", key_row)
        form.addRow(self.key_input)
        form.addRow(self.secret_input)
        form.addRow(self.key_url)
        checks = QHBoxLayout()
        checks.addWidget(self.issuer_input)
        checks.addWidget(self.audience_input)
        checks.addWidget(QLabel("Leeway:"))
        checks.addWidget(self.leeway)
        form.addRow(checks)
        form.addRow(self.verify_button)
        self._on_key_kind_changed()
        return box

    # -- decoding ---------------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        self.input.setPlainText(text)

    @property
    def inspection(self) -> Inspection | None:
        return self._inspection

    @Slot()
    def _on_text_changed(self) -> None:
        text = self.input.toPlainText()
        self._verification = None
        if not text.strip():
            self._inspection = None
            self._show_message(
                "Nothing to inspect yet. Paste a token above: TokenDeck decodes it locally and "
                "never sends it anywhere unless you ask it to fetch keys."
            )
            return
        try:
            self._inspection = inspect_token(text)
        except TokenFormatError as exc:
            self._inspection = None
            self._show_message(str(exc))
            return
        self.stack.setCurrentIndex(1)
        self.copy_json_button.setEnabled(self._inspection.header is not None)
        self._fill_claims(self._inspection)
        self._refresh(self._ticker.now())

    def _show_message(self, text: str) -> None:
        self.badge.hide()
        self.message.setText(text)
        self.stack.setCurrentIndex(0)
        self.track_button.setEnabled(False)
        self.copy_json_button.setEnabled(False)
        self.verify_button.setEnabled(False)

    def _fill_claims(self, inspection: Inspection) -> None:
        note = ""
        if inspection.payload is None and inspection.payload_text is not None:
            note = inspection.payload_text[:4000]
        elif inspection.payload is None and inspection.header is not None:
            note = "(encrypted: cannot be read without the key)"
        self.json_view.show_parts(inspection.header, inspection.payload, note)
        self.claims.clear()
        for title, mapping in (("Header", inspection.header), ("Payload", inspection.payload)):
            if mapping is None:
                continue
            parent = QTreeWidgetItem(self.claims, [title])
            parent.setFirstColumnSpanned(True)
            # The colour of its part of the token in the input above.
            part = 0 if title == "Header" else 1
            parent.setForeground(0, token_part_color(part, dark=is_dark(self.palette())))
            bold = parent.font(0)
            bold.setBold(True)
            parent.setFont(0, bold)
            for name, value in mapping.items():
                shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                claim_time = inspection.claim_time(name) if title == "Payload" else None
                if claim_time is not None:
                    shown = f"{shown}  →  {utc_iso(claim_time)}"
                doc = CLAIM_DOCS.get(name, "")
                item = QTreeWidgetItem(parent, [name, shown, doc])
                item.setToolTip(0, doc or "Not a registered claim")
                item.setToolTip(1, shown[:2000])
                item.setToolTip(2, doc)
            parent.setExpanded(True)
        if inspection.payload is None and inspection.payload_text is not None:
            parent = QTreeWidgetItem(
                self.claims, ["Payload (not JSON)", inspection.payload_text[:4000]]
            )
        elif inspection.payload is None and inspection.header is not None:
            QTreeWidgetItem(self.claims, ["Payload", "encrypted: cannot be read without the key"])

    def changeEvent(self, event: QEvent) -> None:
        """A new theme: the verdict and signature colours are set per palette, so again."""
        super().changeEvent(event)
        if event.type() != QEvent.Type.PaletteChange:
            return
        self.highlighter.set_dark(is_dark(self.palette()))
        self._show_secret_toggled(self.show_secret.isChecked())  # its eye, in the new colours
        if self._inspection is not None:
            self._fill_claims(self._inspection)
            self._refresh(self._ticker.now())
            self._show_signature()

    @Slot(object)
    def _on_tick(self, now: datetime) -> None:
        if self._inspection is not None and self.isVisible():
            self._refresh(now)

    def _on_leeway_changed(self, value: float) -> None:
        self._policy = AssessPolicy(leeway=timedelta(seconds=value))
        if self._inspection is not None:
            self._refresh(self._ticker.now())

    def _refresh(self, now: datetime) -> None:
        inspection = self._inspection
        if inspection is None:
            return
        assessment = assess(inspection, now, self._policy)
        self.kind_label.setText(kind_text(inspection.kind))
        verification = self._verification
        extra: tuple[Problem, ...] = verification.problems if verification else ()
        verdict = token_verdict(
            inspection,
            assessment,
            signature=verification.status.value if verification else "not_verified",
            signature_message=verification.message if verification else "",
            extra_problems=extra,
            key_given=verification is not None and self._key_checked,
        )
        self.verdict = verdict
        color = tone_color(verdict.tone, self.palette())
        self.status_label.setText(f"{verdict.text} — {verdict.reason}")
        self.status_label.setStyleSheet(f"color: {color.name()}; font-weight: 600")
        background, ink = badge_colors(verdict.tone, self.palette())
        self.badge.setText(verdict.text)
        self.badge.setToolTip(verdict.reason)
        self.badge.setStyleSheet(
            f"background: {background.name()}; color: {ink.name()}; font-weight: 600;"
            " border-radius: 9px; padding: 2px 10px;"
        )
        self.badge.show()
        invalid = verdict.state is State.INVALID
        self.track_button.setEnabled(not invalid)
        self.track_button.setToolTip(
            "An invalid token cannot be tracked: " + verdict.reason
            if invalid
            else "Save it with a label and get warned before it expires"
        )
        exp = inspection.expires_at
        if exp is not None:
            claim = next(c for c in inspection.time_claims if c.name == "exp")
            lifetime = inspection.lifetime
            life = f" · lifetime {format_duration(lifetime, parts=3)}" if lifetime else ""
            self.expiry_label.setText(f"{time_phrase(claim, now)} ({local_text(exp)}){life}")
        elif assessment.status is TokenStatus.UNKNOWN:
            self.expiry_label.setText("not readable from the token itself")
        else:
            self.expiry_label.setText("never (no exp claim)")
        identity = [
            f"{label}: {text}"
            for label, text in (
                ("iss", inspection.claim_text("iss")),
                ("sub", inspection.claim_text("sub")),
                ("aud", inspection.claim_text("aud")),
                ("token id", inspection.trifacta_token_id),
            )
            if text
        ]
        self.identity_label.setText("\n".join(identity) or "—")
        self._fill_times(inspection, now)
        self._fill_problems((*assessment.problems, *extra))
        self._show_signature()

    def _fill_times(self, inspection: Inspection, now: datetime) -> None:
        claims = inspection.time_claims
        if self.times.topLevelItemCount() != len(claims):
            self.times.clear()
            for claim in claims:
                QTreeWidgetItem(self.times, [claim.name, "", "", ""])
        for row, claim in enumerate(claims):
            item = self.times.topLevelItem(row)
            if item is None:
                continue
            guess = "" if claim.standard else " (looks like a time)"
            item.setText(0, claim.name + guess)
            item.setText(1, utc_iso(claim.at))
            item.setText(2, local_text(claim.at))
            item.setText(3, time_phrase(claim, now))
            item.setToolTip(0, CLAIM_DOCS.get(claim.name, "A number that looks like a Unix time"))

    def _fill_problems(self, problems: tuple[Problem, ...]) -> None:
        self.problems.clear()
        palette = self.palette()
        icons = {
            Severity.ERROR: tone_icon(Act.ERROR, "bad", palette),
            Severity.WARNING: tone_icon(Act.WARNING, "warn", palette),
            Severity.INFO: tone_icon(Act.INFO, "muted", palette),
        }
        if not problems:
            self.problems.addItem(QListWidgetItem("No problems found."))
        for problem in problems:
            item = QListWidgetItem(icons[problem.severity], problem.message)
            item.setToolTip(f"{problem.severity.value}: {problem.code}")
            item.setData(Qt.ItemDataRole.UserRole, problem.code)
            self.problems.addItem(item)

    def problem_codes(self) -> list[str]:
        return [
            str(self.problems.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.problems.count())
            if self.problems.item(i).data(Qt.ItemDataRole.UserRole)
        ]

    # -- verification -----------------------------------------------------------------------

    def _on_key_kind_changed(self) -> None:
        kind = self.key_kind.currentData()
        is_url = kind == "jwks_url"
        secret = kind in ("hmac", "hmac_base64")
        self.secret_input.setVisible(secret)
        self.key_input.setVisible(not secret and kind not in ("jwks_url", "discover"))
        self.key_url.setVisible(is_url)
        self.load_key_button.setEnabled(kind in ("pem", "jwk", "jwks"))
        placeholders = {
            "hmac": "the shared secret, as text",
            "hmac_base64": "the shared secret, base64 or base64url",
            "pem": "-----BEGIN PUBLIC KEY----- … (or a certificate)",
            "jwk": '{"kty": "RSA", "n": "…", "e": "AQAB"}',
            "jwks": '{"keys": [ … ]}',
        }
        self.key_input.setPlaceholderText(placeholders.get(str(kind), ""))
        self.secret_input.setPlaceholderText(placeholders.get(str(kind), ""))
        self._verification = None
        self._show_signature()

    def _show_secret_toggled(self, shown: bool) -> None:
        self.secret_input.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_secret.setIcon(icon(Act.HIDE if shown else Act.SHOW))

    def _load_key_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Load a key",
            "",
            "Keys (*.pem *.crt *.cer *.pub *.json *.jwk *.jwks);;All files (*)",
        )
        if path:
            try:
                self.key_input.setPlainText(Path(path).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                self.signature_label.setText(f"Could not read {path}: {exc.__class__.__name__}")

    def _show_signature(self) -> None:
        verifiable = self._inspection is not None and self._inspection.kind.value == "jws"
        self.verify_button.setEnabled(verifiable)
        if self._inspection is None:
            return
        if self._verification is None:
            self.signature_label.setText(
                "signature not verified" if verifiable else "cannot be verified"
            )
            self.signature_label.setStyleSheet("")
            return
        tones = {"verified": "ok", "invalid": "bad"}
        color = tone_color(tones.get(self._verification.status.value, "muted"), self.palette())
        self.signature_label.setText(self._verification.message)
        self.signature_label.setStyleSheet(f"color: {color.name()}; font-weight: 600")

    @Slot()
    def _start_verify(self) -> None:
        self._runner.quietly("Verifying", self.verify())  # a newer one replaces it

    async def verify(self) -> None:
        """Verify the current token with the key in the panel; the result shows in the pane."""
        inspection = self._inspection
        if inspection is None:
            return
        from tokendeck.core.token_verify import (
            KeyKind,
            SignatureStatus,
            VerificationResult,
            VerifyOptions,
        )
        from tokendeck.services.signature_check import (
            KeyFrom,
            KeySource,
            KeyUnavailableError,
            check_signature,
        )

        kind = str(self.key_kind.currentData())
        self.verify_button.setEnabled(False)
        self.signature_label.setText("verifying…")
        if kind in (KeyFrom.JWKS_URL, KeyFrom.DISCOVER):
            source = KeySource(KeyFrom(kind), self.key_url.text())
        elif kind in ("hmac", "hmac_base64"):
            source = KeySource(KeyKind(kind), self.secret_input.text())
        else:
            source = KeySource(KeyKind(kind), self.key_input.toPlainText())
        options = VerifyOptions(
            issuer=self.issuer_input.text().strip() or None,
            audience=self.audience_input.text().strip() or None,
        )
        try:
            result = await check_signature(inspection, source, options, self._key_lookup)
            checked = True  # a key was read and tried: if it did not verify, the token fails
        except KeyUnavailableError as exc:
            checked = False  # the key itself could not be had: no verdict on the token
            result = VerificationResult(
                SignatureStatus.NOT_VERIFIED, f"Signature not verified: {exc}"
            )
        except Exception as exc:
            checked = False
            result = VerificationResult(
                SignatureStatus.NOT_VERIFIED, f"Signature not verified: {type(exc).__name__}"
            )
        if inspection is self._inspection:
            self._verification = result
            self._key_checked = checked
            self._refresh(self._ticker.now())

    # -- actions ----------------------------------------------------------------------------

    def _ask_track(self) -> None:
        if self._inspection is None:
            return
        suggested = self._inspection.claim_text("sub") or self._inspection.claim_text("iss") or ""
        label, ok = QInputDialog.getText(
            self, "Track this token", "Label (shown in the Tokens list):", text=suggested
        )
        if ok and label.strip():
            self.track_requested.emit(label.strip(), Secret(self._inspection.token.reveal()))

    def _copy_json(self) -> None:
        if self._inspection is None:
            return
        text = json.dumps(
            {"header": self._inspection.header, "payload": self._inspection.payload},
            indent=2,
            ensure_ascii=False,
        )
        QGuiApplication.clipboard().setText(text)
