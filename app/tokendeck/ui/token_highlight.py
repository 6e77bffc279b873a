"""The token in the Inspector's input, its parts in colour (header, payload, signature), as
jwt.io shows them; the same colours mark the Header and Payload of the claims tree.

Only the text that looks like a compact JWS or JWE is coloured (a `Bearer` prefix or the JSON
around it is not), and colouring never changes the text."""

from __future__ import annotations

import re

from PySide6.QtGui import QSyntaxHighlighter, QTextCharFormat, QTextDocument

from tokendeck.ui.status_style import token_part_color

# Three (JWS) or five (JWE) base64url parts, the first a JSON header ("eyJ" is `{"`); a JWS may
# have an empty signature.
COMPACT = re.compile(r"eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,4}")  # a JOSE header starts {"


class TokenPartsHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, *, dark: bool) -> None:
        super().__init__(document)
        self._dark = dark

    def set_dark(self, dark: bool) -> None:
        if dark != self._dark:
            self._dark = dark
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for match in COMPACT.finditer(text):
            if match.group(0).count(".") not in (2, 4):
                continue
            start = match.start()
            for index, part in enumerate(match.group(0).split(".")):
                style = QTextCharFormat()
                style.setForeground(token_part_color(index, dark=self._dark))
                self.setFormat(start, len(part), style)
                start += len(part) + 1
