"""Setting a Qt enum or flags property by its keys' names, as a .ui file or a style sheet does.

Widgets made on the way to the first rows (a tab's banner, its loading page) set their enums
this way: `Qt.AlignmentFlag.AlignCenter` would import PySide's `Qt` namespace, whose first use
makes its 93 enums (25 ms), and the first rows do not wait for them (see ui/probes.py).
"""

from __future__ import annotations

from PySide6.QtCore import QObject


def set_by_name(target: QObject, name: str, keys: str) -> None:
    """Set `target`'s property `name` to `keys` ("AlignCenter", "PlainText", flags joined by
    "|"); a property or a key that does not exist raises (Qt would only return False)."""
    if not target.setProperty(name, keys):
        raise ValueError(f"{type(target).__name__} has no property {name} that takes {keys!r}")
