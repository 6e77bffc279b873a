"""Qt's item data roles as the plain ints Qt passes to a model's `data()`.

The Accounts table's model compares roles with these, not with `Qt.ItemDataRole`: the first
import of PySide's `Qt` namespace makes its 93 enums (25 ms), and the first rows do not wait
for them (see ui/probes.py). `tests/unit/test_item_roles.py` checks each against Qt's own.
"""

from __future__ import annotations

DISPLAY = 0
DECORATION = 1
TOOLTIP = 3
FOREGROUND = 9
USER = 256
