"""The Inspector reads like jwt.io: the token's parts in colour, the same colours on the Header and
Payload of the claims, and one verdict badge at the top in the state's colour."""

from __future__ import annotations

import time

from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests.tokens import claims, hs256
from tokendeck.ui.inspector import InspectorPane
from tokendeck.ui.status_style import badge_colors, is_dark, token_part_color
from tokendeck.ui.ticker import Ticker


def _pane(qtbot: QtBot) -> InspectorPane:
    pane = InspectorPane(Ticker())
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def _coloured_runs(pane: InspectorPane) -> list[tuple[str, str]]:
    """(text, colour) of every coloured run of the input's first line."""
    block = pane.input.document().firstBlock()
    text = block.text()
    return [
        (text[r.start : r.start + r.length], r.format.foreground().color().name())
        for r in block.layout().formats()
    ]


def test_the_tokens_parts_are_coloured_and_nothing_else(qtbot: QtBot) -> None:
    pane = _pane(qtbot)
    token, _ = hs256(claims(lifetime=600, sub="ci-bot"))
    header, payload, signature = token.split(".")
    pane.set_text(f"Authorization: Bearer {token}")
    dark = is_dark(pane.palette())
    assert _coloured_runs(pane) == [
        (header, token_part_color(0, dark=dark).name()),
        (payload, token_part_color(1, dark=dark).name()),
        (signature, token_part_color(2, dark=dark).name()),
    ]
    roots = [pane.claims.topLevelItem(i) for i in range(pane.claims.topLevelItemCount())]
    assert [(r.text(0), r.foreground(0).color().name()) for r in roots] == [
        ("Header", token_part_color(0, dark=dark).name()),
        ("Payload", token_part_color(1, dark=dark).name()),
    ]
    pane.set_text("issuer.example.com is not a token: a.b.c")
    assert _coloured_runs(pane) == []


def test_one_verdict_badge_in_the_states_colour(qtbot: QtBot) -> None:
    pane = _pane(qtbot)
    assert pane.badge.isHidden()
    token, _ = hs256(claims(lifetime=30 * 86400))
    pane.set_text(token)
    assert pane.badge.isVisible() and pane.badge.text() == "active"
    background, _ = badge_colors("ok", QGuiApplication.palette())
    assert background.name() in pane.badge.styleSheet()
    expired, _ = hs256(claims(lifetime=-600, iat=int(time.time()) - 3600))
    pane.set_text(expired)
    assert pane.badge.text() == "expired"
    assert badge_colors("bad", QGuiApplication.palette())[0].name() in pane.badge.styleSheet()
    pane.set_text("")
    assert pane.badge.isHidden()


def test_header_and_payload_as_json_side_by_side_or_stacked(qtbot: QtBot) -> None:
    import json

    from PySide6.QtCore import Qt

    pane = _pane(qtbot)
    token, _ = hs256(claims(lifetime=600, sub="<b>ci-bot</b>"))
    pane.set_text(token)
    shown = pane.json_view
    assert json.loads(shown.header.toPlainText()) == {"alg": "HS256", "typ": "JWT"}
    payload = json.loads(shown.payload.toPlainText())
    assert payload["sub"] == "<b>ci-bot</b>", "plain text, as typed"
    assert '\n  "sub": ' in shown.payload.toPlainText(), "pretty-printed"
    assert shown.payload.claim_at('  "exp": 1796523520,') == "exp"
    assert shown.payload.claim_at("  1796523520") is None
    shown.resize(1000, 400)
    qtbot.waitUntil(lambda: shown.splitter.orientation() == Qt.Orientation.Horizontal)
    shown.resize(500, 400)
    qtbot.waitUntil(lambda: shown.splitter.orientation() == Qt.Orientation.Vertical)
