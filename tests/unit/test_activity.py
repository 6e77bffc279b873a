"""The Activity rows' text, filter and CSV (services/activity): a label a platform sent cannot
become a spreadsheet formula, and the CSV reads back as written."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from tokendeck.services.activity import HEADERS, ActivityRow, matches, to_csv

AT = datetime(2026, 12, 6, 10, 30, tzinfo=UTC)


def _row(credential: str = "CI bot", kind: str = "API keys", detail: str = "") -> ActivityRow:
    return ActivityRow(
        AT, "key.create", "API key created", kind, "Dataloop prod", credential, detail
    )


@pytest.mark.parametrize(
    "hostile", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_a_cell_a_spreadsheet_would_run_is_written_inert(hostile: str) -> None:
    text = to_csv([_row(credential=hostile, detail=hostile)])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(HEADERS)
    assert rows[1][3] == "'" + hostile
    assert rows[1][4] == "'" + hostile


def test_the_csv_reads_back_as_written() -> None:
    tricky = 'a, "quoted"; label\nwith a newline'
    rows = list(csv.reader(io.StringIO(to_csv([_row(credential=tricky)]))))
    assert rows[1] == ["2026-12-06T10:30:00Z", "API key created", "Dataloop prod", tricky, ""]


def test_the_filter_takes_a_kind_and_text_in_any_column() -> None:
    row = _row()
    assert matches(row, (), "")
    assert matches(row, ("API keys",), "ci BOT")
    assert matches(row, (), "dataloop")
    assert matches(row, (), "2026-12-06")
    assert not matches(row, ("Copies",), "")
    assert not matches(row, (), "haut")
