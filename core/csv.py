"""CSV cells that a spreadsheet never runs as formulas, and their text read back.

Every CSV the project writes goes through SafeWriter (or csv_cell): imported text such as
`=HYPERLINK(...)` in a place name must never become a live formula in someone's spreadsheet.
"""

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from rest_framework.utils.encoders import JSONEncoder

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _runs_as_formula(text):
    return text.lstrip("'").startswith(FORMULA_PREFIXES) and not _is_number(text)


def csv_cell(value):
    """A cell's text. Text that a spreadsheet would run as a formula gets a leading `'`
    (CSV injection), and so does text that already looks escaped, so csv_text() can undo it
    exactly; numbers, negative ones included, are left as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if _runs_as_formula(value) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(csv_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, cls=JSONEncoder, ensure_ascii=False)
    return str(value)


def csv_text(cell):
    """The text csv_cell() was given (for importers reading our CSV back)."""
    if cell.startswith("'") and _runs_as_formula(cell[1:]):
        return cell[1:]
    return cell


class SafeWriter:
    """csv.writer with every cell through csv_cell(): the one way the project writes CSV."""

    def __init__(self, file: TextIO, **kwargs: Any) -> None:
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
