"""ui/rich_text.escape is html.escape, without importing `html` (its entity table)."""

from __future__ import annotations

import html
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from tokendeck.ui.rich_text import escape


@given(st.text())
def test_escape_is_html_escape(text: str) -> None:
    assert escape(text) == html.escape(text)


def test_every_special_character_is_replaced() -> None:
    assert escape("""<b>"Tom" & 'Jerry'</b>""") == (
        "&lt;b&gt;&quot;Tom&quot; &amp; &#x27;Jerry&#x27;&lt;/b&gt;"
    )


def test_the_window_and_its_dialogs_do_not_import_html() -> None:
    code = (
        "import sys; import tokendeck.ui.main_window, tokendeck.ui.status_text, "
        "tokendeck.ui.key_dialogs, tokendeck.ui.settings_dialog; print('html' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
