"""The CSV every export writes: readable by a spreadsheet as the values we meant."""

import csv
import datetime as dt
import io

from server.interop import spreadsheet


def _read(text: str) -> list[list[str]]:
    assert text.startswith(spreadsheet.BOM)
    return list(csv.reader(io.StringIO(text[1:])))


def test_utf8_with_bom_and_crlf():
    text = spreadsheet.to_csv(["name"], [["Amélie"], ["سارة"]])
    assert text.startswith("\ufeffname\r\n")
    assert _read(text) == [["name"], ["Amélie"], ["سارة"]]


def test_numbers_and_dates_as_a_spreadsheet_reads_them():
    row = [
        3,
        0.5,
        0.12345678,
        dt.date(2026, 12, 3),
        dt.datetime(2026, 12, 3, 9, 5, 7, 123),
        None,
        True,
    ]
    assert _read(spreadsheet.to_csv(list("abcdefg"), [row]))[1] == [
        "3",
        "0.5",
        "0.1235",
        "2026-12-03",
        "2026-12-03 09:05:07",
        "",
        "yes",
    ]


def test_a_name_cannot_become_a_formula():
    rows = [['=HYPERLINK("http://x")'], ["+1"], ["-2"], ["@SUM(A1)"], ["plain"]]
    cells = [r[0] for r in _read(spreadsheet.to_csv(["n"], rows))[1:]]
    assert cells == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "plain"]


def test_commas_quotes_and_newlines_survive():
    value = 'a, "b"\nc'
    assert _read(spreadsheet.to_csv(["n"], [[value]]))[1] == [value]
