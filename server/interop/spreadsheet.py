"""CSV that opens right in a spreadsheet: every export (reports, heatmaps, district files) uses it.

Spreadsheets guess. Without a byte-order mark Excel reads UTF-8 as the local code page
and "Amélie" becomes "AmÃ©lie"; a number written as "0.50" is read as a number only when
it looks like one; a date is read as a date only as ISO ``YYYY-MM-DD``. And a cell that
starts with ``=``, ``+``, ``-`` or ``@`` is run as a formula, so a name a child typed could
become one (CSV injection): such text gets a leading apostrophe, which the spreadsheet
shows as plain text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

#: Excel's signal that the file is UTF-8.
BOM = "\ufeff"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One value as the text a spreadsheet reads back as the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if isinstance(value, float):
            return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else ""
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The whole file as text: BOM, header, one line per row, CRLF as RFC 4180 says."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A download the browser saves as ``filename`` (ASCII name, ``.csv``)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename) or "export.csv"
    return Response(
        to_csv(header, rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Cache-Control": "no-store",
        },
    )
