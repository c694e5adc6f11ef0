"""The fast path for large files on PostgreSQL: read the CSV file in blocks with pyarrow, apply
a reader's rules a column at a time, and stage the rows with COPY text built the same way.

A block is a run of whole records, cut at a line end outside quotes. A block that pyarrow would
not read exactly as csv.reader does (bad encoding, a ragged or blank line, a NUL byte, a lone
CR) is read row by row by `read_rows`, with the same line numbers. Within a block, a reader
applies the very functions its per-row parser applies, once per distinct value of a column (or
combination of columns: see map_distinct); a row that any of them rejects goes through the
per-row parser, which reports the first bad cell. So both paths accept the same rows, with the
same values, and every error reads the same."""

import csv
import io
import os
from dataclasses import dataclass

import numpy as np

from .base import BadValue, read_rows

try:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv
except ImportError:  # the per-row path works without it
    pa = None

BLOCK_BYTES = 2 << 20
# What str.strip() strips: every character Python calls whitespace (a test checks the list).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
COPY_SPECIAL = r"[\\\t\n\r]"
COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
NULL = "\\N"


def available():
    return pa is not None


def _use_returning_pool() -> None:
    """pyarrow's allocations through jemalloc, unless ARROW_DEFAULT_MEMORY_POOL says otherwise.

    Its default (mimalloc) keeps much of what a parsed block freed; jemalloc hands it back, so an
    import's peak memory is some 15-20 MB lower at the same speed (docs/benchmarks.md). Set by
    the process that reads a file, when it starts reading, not on import: a parent that forks
    (a Celery worker's) never starts jemalloc itself."""
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ or pa.default_memory_pool().backend_name == "jemalloc":
        return
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # a pyarrow built without jemalloc (Windows): keep its own
        pass


@dataclass
class Block:
    """Rows `lines` of the file as string columns (all of them, by position)."""

    table: "pa.Table"
    lines: np.ndarray  # the physical line each row starts on
    span: tuple[int, int] | None = None  # (offset, size) of its bytes in the file (see read_again)

    def __len__(self):
        return self.table.num_rows

    def column(self, position):
        """Column `position`; a position past the last column (a column the file lacks) reads as ""."""
        if position >= self.table.num_columns:
            return pa.repeat("", len(self))
        return self.table.column(position).combine_chunks()

    def cells(self, row):
        """One row as the per-row path sees it: its cells, plus the "" a missing column reads as."""
        return [column[row].as_py() for column in self.table.columns] + [""]


@dataclass
class BlockRecords:
    """The rows of a block that every rule of a reader accepted, as staging columns."""

    lines: np.ndarray
    # staging column -> pyarrow string array (None for NULL), or one str (COPY text) for every row.
    # Only the free-text columns (staging.FREE_TEXT) are escaped for COPY: the others must hold
    # numbers, dates or codes, with no backslash, tab or line end.
    values: dict
    actors: list  # the distinct actors...
    actor_index: np.ndarray  # ...and each row's
    sources: list  # the distinct lists of (name, url, published_on, notes)...
    source_index: np.ndarray  # ...and each row's

    def __len__(self):
        return len(self.lines)

    def take(self, keep: np.ndarray) -> "BlockRecords":
        """The rows that `keep` (a bool per row) selects."""
        mask = pa.array(keep)
        values = {
            name: value if isinstance(value, str) else value.filter(mask)
            for name, value in self.values.items()
        }
        return BlockRecords(
            lines=self.lines[keep],
            values=values,
            actors=self.actors,
            actor_index=self.actor_index[keep],
            sources=self.sources,
            source_index=self.source_index[keep],
        )


def blocks(binary, header, first_line, block_bytes=None):
    """Read the rest of `binary` (positioned after the header, whose last line is first_line - 1).
    Yields a Block for each part pyarrow reads exactly, and (line, cells or RowError) items
    from read_rows for the others."""
    _use_returning_pool()
    line, offset = first_line, binary.tell()
    for data in _record_runs(binary, block_bytes or BLOCK_BYTES):
        block, lines = _block_of(data, len(header), line)
        if block is not None:
            block.span = (offset, len(data))
            yield block
        else:
            text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="surrogateescape", newline="")
            yield from read_rows(csv.reader(text, strict=False), header, line_offset=line - 1)
        line += lines
        offset += len(data)


def read_again(binary, span: tuple[int, int], width: int, first_line: int) -> Block:
    """The Block that blocks() read from `binary` at `span` (its `width` columns starting on
    `first_line`), read again from the file; the file's position is kept."""
    position = binary.tell()
    try:
        binary.seek(span[0])
        data = binary.read(span[1])
    finally:
        binary.seek(position)
    block, _lines = _block_of(data, width, first_line)
    block.span = span
    return block


def _block_of(data, width, line):
    """(the Block of a run of records starting on `line`, or None if pyarrow would not read it
    exactly as csv.reader does, the physical lines it holds)."""
    # Physical lines as csv.reader counts them: a lone CR ends a line too.
    carriage_returns = data.count(b"\r")
    lone_returns = carriage_returns - data.count(b"\r\n") if carriage_returns else 0
    lines = data.count(b"\n") + lone_returns + (not data.endswith((b"\n", b"\r")))
    block = None if lone_returns or b"\x00" in data else _read_block(data, width, line, lines)
    return block, lines


def _record_runs(binary, block_bytes):
    """Byte strings of about block_bytes, each ending at a line end outside quotes (an even
    number of quote characters before it), so that no record is cut in two."""
    pending = b""
    while chunk := binary.read(block_bytes):
        data = pending + chunk
        cut = _last_record_end(data)
        if cut is None:  # one record longer than the block (or an unclosed quote): read on
            pending = data
            continue
        yield data[:cut]
        pending = data[cut:]
    if pending:
        yield pending


def _last_record_end(data):
    end = data.rfind(b"\n") + 1
    if not end:
        return None
    quotes = data.count(b'"', 0, end)
    while quotes % 2:
        previous = data.rfind(b"\n", 0, end - 1) + 1
        if not previous:
            return None
        quotes -= data.count(b'"', previous, end)
        end = previous
    return end


def _read_block(data, width, first_line, lines):
    names = [f"c{n}" for n in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(
                column_names=names, use_threads=False, block_size=max(len(data), 1 << 20) + 1
            ),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    rows = table.num_rows
    if rows == lines:
        return Block(table, np.arange(first_line, first_line + rows, dtype=np.int64))
    # Quoted fields over several lines: a row takes 1 + its newlines.
    extra = np.zeros(rows, dtype=np.int64)
    for column in table.columns:
        extra += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False)
    if rows + int(extra.sum()) != lines:
        return None  # blank lines, or something csv.reader would read differently
    starts = np.empty(rows, dtype=np.int64)
    starts[0:1] = 0
    np.cumsum(1 + extra[:-1], out=starts[1:])
    return Block(table, first_line + starts)


# --- column helpers --------------------------------------------------------------------------
def strip(array):
    return pc.utf8_trim(array, characters=WHITESPACE)


def longer_than(array, max_length):
    return pc.greater(pc.utf8_length(array), max_length).to_numpy(zero_copy_only=False)


def is_empty(array):
    return pc.equal(pc.binary_length(array), 0).to_numpy(zero_copy_only=False)


class _Rejected:
    def __repr__(self):
        return "REJECTED"


REJECTED = _Rejected()  # what Mapped.results holds where the rule raised BadValue
_NOT_CACHED = object()


@dataclass
class Mapped:
    """A per-row rule applied to each distinct combination of a block's columns (map_distinct)."""

    results: list  # the rule's result for each distinct combination, or REJECTED
    index: np.ndarray  # each row's combination
    rejections: list  # the positions in results of REJECTED

    def rejected(self):
        """A bool per row: the rule raised BadValue on this row's cells."""
        rejected = np.zeros(len(self.results), dtype=bool)
        rejected[self.rejections] = True
        return rejected[self.index]

    def results_or_none(self):
        """The results, None where the rule rejected the cells."""
        values = list(self.results)
        for position in self.rejections:
            values[position] = None
        return values

    def column(self, value=None, type=None):
        """Each row's result (or value(result)) as a pyarrow array, null where rejected."""
        values = self.results_or_none()
        if value is not None:
            values = [None if result is None else value(result) for result in values]
        return pa.array(values, type or pa.string()).take(pa.array(self.index))


def map_distinct(rule, *columns, cache=None):
    """rule(*cells) once per distinct combination of the columns' values, with the cells a row
    gives the per-row parser: a block's rows get exactly what parse() computes for them, for the
    cost of its distinct values (dates, categories, places... repeat a lot). No column may hold
    nulls. `cache` (a dict) keeps the results of a one-column rule from block to block."""
    encoded = [pc.dictionary_encode(_whole(column)) for column in columns]
    codes = [column.indices.to_numpy(zero_copy_only=False) for column in encoded]
    if len(encoded) == 1:
        index, cells = codes[0], [encoded[0].dictionary.to_pylist()]
    else:
        first, index = _combinations(codes, [len(column.dictionary) for column in encoded])
        cells = [
            column.dictionary.take(pa.array(column_codes[first])).to_pylist()
            for column, column_codes in zip(encoded, codes)
        ]
    if cache is None:
        results = [_apply(rule, values) for values in zip(*cells)]
    else:
        (values,) = cells
        results = [cache.get(value, _NOT_CACHED) for value in values]
        for position in [n for n, result in enumerate(results) if result is _NOT_CACHED]:
            value = values[position]
            results[position] = _apply(rule, (value,))
            if len(cache) < 100_000:
                cache[value] = results[position]
    return Mapped(results, index, [n for n, result in enumerate(results) if result is REJECTED])


def map_together(rule, mapped, rows):
    """rule(*results) once per distinct combination of the results of rules already applied by
    map_distinct (`mapped`), for the rows `rows` (a bool mask) selects."""
    codes = [rule_applied.index[rows] for rule_applied in mapped]
    first, index = _combinations(codes, [len(rule_applied.results) for rule_applied in mapped])
    cells = [
        [rule_applied.results[code] for code in rule_codes[first].tolist()]
        for rule_applied, rule_codes in zip(mapped, codes)
    ]
    results = [_apply(rule, values) for values in zip(*cells)]
    return Mapped(results, index, [n for n, result in enumerate(results) if result is REJECTED])


def _combinations(codes, sizes):
    """(the first row of each distinct combination of the codes, each row's combination), for
    code arrays whose values are below the sizes."""
    key, size = codes[0].astype(np.int64), sizes[0]
    for column_codes, column_size in zip(codes[1:], sizes[1:]):
        # Renumbered after each column, so that the key stays below the number of rows.
        _, key = _distinct(key * column_size + column_codes, size * column_size)
        size = int(key.max()) + 1 if len(key) else 0
    return _distinct(key, size)


def _distinct(key, size):
    """(the first position of each distinct value of key, each position's distinct number), for
    keys below size: by a table when size is small, else by sorting."""
    if size > 4 * len(key) + 4096:
        _, first, number = np.unique(key, return_index=True, return_inverse=True)
        return first, number.reshape(-1)
    seen = np.zeros(size, dtype=bool)
    seen[key] = True
    number = (np.cumsum(seen) - 1)[key]
    first = np.empty(int(seen.sum()), dtype=np.int64)
    first[number[::-1]] = np.arange(len(key) - 1, -1, -1)  # the last write, the first position, wins
    return first, number


def _apply(rule, values):
    try:
        return rule(*values)
    except BadValue:
        return REJECTED


def _whole(array):
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def copy_text(array):
    """A text column escaped for COPY's text format, NULL as \\N."""
    if pc.any(pc.match_substring_regex(array, COPY_SPECIAL)).as_py():
        for special, escaped in COPY_ESCAPES:  # the backslash first
            array = pc.replace_substring(array, special, escaped)
    return copy_nulls(array)


def copy_nulls(array):
    """NULL as COPY text writes it."""
    return pc.fill_null(array, NULL) if array.null_count else array


def copy_payload(columns, rows):
    """The bytes of COPY text for `rows` rows of the given columns (pyarrow string arrays, or
    str for a value shared by every row)."""
    *columns, last = columns
    # The line end joins the last column first: one pass over the whole text, not two.
    last = (
        last + "\n" if isinstance(last, str) else pc.binary_join_element_wise(last, pa.repeat("", rows), "\n")
    )
    arrays = [pa.repeat(column, rows) if isinstance(column, str) else column for column in (*columns, last)]
    joined = pc.binary_join_element_wise(*arrays, "\t") if columns else arrays[0]
    if joined.null_count:  # a row would be lost, not written as NULLs
        raise ValueError("a null reached COPY text (use copy_nulls)")
    return _data_bytes(joined)


def _data_bytes(array):
    offsets = array.buffers()[1]
    data = array.buffers()[2]
    start, end = np.frombuffer(offsets, dtype=np.int32, count=len(array) + 1, offset=4 * array.offset)[
        [0, -1]
    ]
    return memoryview(data)[start:end]
