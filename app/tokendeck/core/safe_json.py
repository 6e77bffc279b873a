"""JSON from outside (a token's parts, a JWK, a JWKS or discovery document), bounded.

`loads` refuses documents nested deeper than `MAX_DEPTH` (so nothing downstream, a pretty-printer
or a recursive walk, can run out of stack) and turns every failure, including the interpreter's
own recursion limit, into `JsonError`. `clean` replaces lone surrogates (`"\\ud800"` is valid JSON
but cannot be encoded as UTF-8, printed or copied) with U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonError(ValueError):
    """Not JSON, or JSON nested too deeply. The message never quotes the document."""

    def __init__(self, message: str, *, too_deep: bool = False) -> None:
        super().__init__(message)
        self.too_deep = too_deep


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` that raises only `JsonError`, and refuses nesting deeper than `max_depth`."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JsonError("The document is not UTF-8 text.") from None
    try:
        value = json.loads(data)
    except RecursionError:
        raise JsonError(
            f"The JSON is nested more than {max_depth} levels deep.", too_deep=True
        ) from None
    except ValueError:
        raise JsonError("The document is not valid JSON.") from None
    if depth(value) > max_depth:
        raise JsonError(f"The JSON is nested more than {max_depth} levels deep.", too_deep=True)
    return value


def depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0, `[]` is 1); iterative, linear."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            level += 1
            deepest = max(deepest, level)
            stack.extend((child, level) for child in item if isinstance(child, (list, dict)))
    return deepest


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def clean(value: Any) -> tuple[Any, bool]:
    """`value` with lone surrogates in every string (keys too) replaced by U+FFFD.

    Returns the cleaned value and whether anything was replaced. `value` must come from `loads`
    (bounded depth), so the recursion here is bounded too.
    """
    if isinstance(value, str):
        if not has_lone_surrogate(value):
            return value, False
        return _SURROGATE.sub("\ufffd", value), True
    if isinstance(value, list):
        items = [clean(v) for v in value]
        return [v for v, _ in items], any(c for _, c in items)
    if isinstance(value, dict):
        changed = False
        out: dict[str, Any] = {}
        for key, item in value.items():
            new_key, key_changed = clean(key)
            new_item, item_changed = clean(item)
            out[new_key] = new_item
            changed = changed or key_changed or item_changed
        return out, changed
    return value, False
