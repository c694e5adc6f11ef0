"""What every reader shares: streaming a CSV file row by row, and turning cells into values.

A reader turns one CSV row (a dict of column -> text) into one `Record`, or raises `BadValue`
naming the column and the reason. The streaming part never holds more than one row in memory.
"""

import codecs
import csv
import datetime as dt
import io
import math
import sys
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.dates import validate_incident_time, validate_window_end
from incidents.models import Incident, Source

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

UTC = dt.UTC


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str


class BadValue(Exception):
    """A cell (or a whole row) that cannot be imported."""

    def __init__(self, column, reason):
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


class ImportFileError(Exception):
    """The file as a whole cannot be imported (no header, a required column missing...)."""

    def __init__(self, reason, line=1, column=""):
        super().__init__(f"line {line}" + (f", column {column}" if column else "") + f": {reason}")
        self.line = line
        self.column = column
        self.reason = reason


@dataclass(slots=True)
class Record:
    """One incident as read from a file: Incident field values plus what needs resolving."""

    external_id: str
    source_dataset: str
    fields: dict
    actor: str = ""  # the perpetrator's name as the file writes it, matched to a Party later
    sources: list = field(default_factory=list)  # (name, url, published_on, notes)
    # (id, created_at) of a hand-entered incident in the database the file was exported from
    local_id: tuple | None = None


def import_timezone():
    """Bare dates in external data are local days; this is the zone they are read in."""
    return zoneinfo.ZoneInfo(settings.INCIDENTS_IMPORT_TIMEZONE)


def day_start(day, tz):
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz).astimezone(UTC)


def day_end(day, tz):
    """The last second of `day`: windows are closed intervals [occurred_at, occurred_until]."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def check_window(occurred_at, occurred_until, column):
    """The model's rule for an incident's time (core.dates), as a row error naming `column`."""
    try:
        validate_incident_time(occurred_at)
        if occurred_until is not None:
            validate_window_end(occurred_until)
    except ValidationError as exc:
        raise BadValue(
            column, f"{exc.messages[0]} ({occurred_at:%Y-%m-%d})"
        ) from None  # translated by core.dates
    return occurred_at, occurred_until


DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%b-%y", "%d-%B-%Y", "%d %b %Y", "%d/%m/%Y", "%d-%b-%Y")


def parse_date(text, column, cache):
    """A calendar date in any of the forms ACLED and UCDP publish; `cache` holds earlier answers."""
    try:
        return cache[text]
    except KeyError:
        pass
    value = text.strip()
    if not value:
        raise BadValue(column, _("date is empty"))
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if len(cache) < 100_000:
            cache[text] = parsed
        return parsed
    raise BadValue(
        column,
        _("unparseable date %(value)s (expected e.g. 31 December 2020, 2020-12-31 or 9-May-20)")
        % {"value": repr(value)},
    )


def parse_coordinate(text, column, limit):
    value = text.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadValue(column, _("not a number: %(value)s") % {"value": repr(value)}) from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise BadValue(
            column,
            _("%(value)s is out of range (-%(limit)s to %(limit)s)") % {"value": value, "limit": limit},
        )
    return number


def parse_latitude(text):
    return parse_coordinate(text, "latitude", 90)


def parse_longitude(text):
    return parse_coordinate(text, "longitude", 180)


def check_both_given(has_latitude, has_longitude):
    """A point needs both coordinates (or neither): one without the other is a bad value."""
    if has_latitude != has_longitude:
        raise BadValue("latitude" if has_longitude else "longitude", _("give both latitude and longitude"))


def parse_point(latitude_text, longitude_text):
    """(latitude, longitude), both None when both are empty; one without the other is a bad value."""
    latitude = parse_latitude(latitude_text)
    longitude = parse_longitude(longitude_text)
    check_both_given(latitude is not None, longitude is not None)
    return latitude, longitude


def parse_count(text, column):
    value = text.strip()
    if not value:
        return 0
    try:
        number = int(value)
    except ValueError:
        try:
            as_float = float(value)
        except ValueError:
            raise BadValue(column, _("not a whole number: %(value)s") % {"value": repr(value)}) from None
        if not as_float.is_integer():
            raise BadValue(column, _("not a whole number: %(value)s") % {"value": repr(value)}) from None
        number = int(as_float)
    if number < 0:
        raise BadValue(column, _("negative count %(number)s") % {"number": number})
    if number > 2_147_483_647:
        raise BadValue(column, _("count %(number)s is too large") % {"number": number})
    return number


def _limits(model, names):
    return {name: model._meta.get_field(name).max_length for name in names}


# The models' own length limits (the admin and the API enforce the same): one limit per field.
INCIDENT_LIMITS = _limits(
    Incident, ("place_name", "admin1", "admin2", "description", "source_dataset", "external_id", "actor_name")
)
SOURCE_LIMITS = _limits(Source, ("name", "url", "notes"))


def check_length(value, column, max_length):
    if len(value) > max_length:
        raise BadValue(
            column,
            _("longer than %(max)s characters (%(length)s)") % {"max": max_length, "length": len(value)},
        )
    return value


def split_list(text, separator=";"):
    return [part.strip() for part in text.split(separator) if part.strip()]


def _looks_utf16(head):
    return head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE)


def _bad_encoding_column(header, row):
    for name, cell in zip(header, row):
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError:
            return name or "?"
    return "?"


class Columns:
    """Column name -> position in a row, as attributes (row[columns.event_date]). A column the
    file lacks points at the empty cell CsvStream appends to every row, so it reads as ""."""

    def __init__(self, header, names):
        positions = {name: index for index, name in reversed(list(enumerate(header)))}
        self.present = set(positions)
        self.absent = len(header)
        for name in names:
            setattr(self, name, positions.get(name, len(header)))


class CsvStream:
    """Iterate a CSV file as (line number, list of cells + [""]) or (line number, RowError).

    Bytes that are not UTF-8 do not stop the file: they are decoded with surrogateescape and
    the row that holds them is reported. A ragged row (too few or too many fields) is reported.
    `position()` is how many bytes have been read, for progress.
    """

    def __init__(self, binary_file, skip_row=None):
        self.binary = binary_file
        head = binary_file.peek(4)[:4] if hasattr(binary_file, "peek") else b""
        encoding = "utf-16" if _looks_utf16(head) else "utf-8-sig"
        self.text = io.TextIOWrapper(binary_file, encoding=encoding, errors="surrogateescape", newline="")
        self.reader = csv.reader(self.text, strict=False)
        self.skip_row = skip_row  # e.g. an HXL hashtag row under the header
        self.header = self._read_header()

    def position(self):
        try:
            return self.binary.tell()
        except (OSError, ValueError):
            return 0

    def _read_header(self):
        try:
            header = next(self.reader)
        except StopIteration:
            raise ImportFileError(_("the file is empty")) from None
        except csv.Error as exc:
            raise ImportFileError(_("not a readable CSV file (%(error)s)") % {"error": exc}) from None
        header = [name.strip().lower() for name in header]
        if any(not _is_utf8(name) for name in header):
            raise ImportFileError(_("the header is not valid UTF-8 (save the file as UTF-8)"))
        if len(header) < 2:
            raise ImportFileError(_("not a comma-separated file with a header row"))
        return header

    def __iter__(self):
        return read_rows(self.reader, self.header, skip_row=self.skip_row)


def read_rows(reader, header, line_offset=0, skip_row=None):
    """(line number, cells + [""]) or (line number, RowError) for each row a csv.reader gives;
    `line_offset` is the number of physical lines before the reader's first one."""
    width = len(header)
    last_line = reader.line_num
    first_data_row = True
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = line_offset + last_line + 1
            last_line = reader.line_num
            yield line, RowError(line, "", f"unreadable CSV ({exc})")
            continue
        line = line_offset + last_line + 1
        last_line = reader.line_num
        if first_data_row:
            first_data_row = False
            if skip_row is not None and skip_row(row):
                continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if len(row) != width:
            yield line, RowError(line, "", f"ragged line: {len(row)} fields where the header has {width}")
            continue
        joined = "\x1f".join(row)
        if "\x00" in joined:
            column = next(name for name, cell in zip(header, row) if "\x00" in cell)
            yield line, RowError(line, column, "contains a NUL byte (binary data, not text)")
            continue
        if not joined.isascii() and not _is_utf8(joined):
            column = _bad_encoding_column(header, row)
            yield line, RowError(line, column, "not valid UTF-8 (wrong encoding: save the file as UTF-8)")
            continue
        row.append("")  # what a missing optional column reads as (see Columns)
        yield line, row


def _is_utf8(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
