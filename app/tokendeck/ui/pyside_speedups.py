"""Start-up work PySide6 does that TokenDeck does not need done slowly.

PySide6 (PYSIDE-2029) asks of every module imported after it whether it uses PySide, to set its
`__feature__` default, and answers with `inspect.getsource(module)`: a trip through inspect and
linecache for each of the few hundred modules the window imports (about a tenth of the time to
the first paint here). The same question is answered by reading the module's file; modules
without a .py file keep PySide's own answer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType


def faster_feature_check() -> None:
    """Answer PySide's "does this module use PySide?" from the file's bytes (idempotent).

    Called before the first PySide6 import: that import asks the question of every module
    already loaded. Importing shiboken6 (which PySide6 imports first anyway) brings the feature
    module in without asking it of them. The sources read meanwhile leave linecache, where
    inspect kept them for the life of the process (99 files, 4 MiB)."""
    import linecache

    import shiboken6  # noqa: F401  (loads shibokensupport.feature)

    feature = sys.modules.get("shibokensupport.feature")
    upstream: Callable[[ModuleType], bool] | None = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or upstream is None or getattr(upstream, "tokendeck", False):
        return

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return upstream(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return upstream(module)

    uses_pyside.tokendeck = True  # type: ignore[attr-defined]
    uses_pyside.upstream = upstream  # type: ignore[attr-defined]
    feature.__dict__["_mod_uses_pyside"] = uses_pyside
    linecache.clearcache()
