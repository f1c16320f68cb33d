"""Bulk reading of JSON lines with pyarrow: runs of well-formed records parsed in C and handed to
COPY as CSV, so a million-record hoso.jsonl does not cost a million rounds of Python.

A block is a run of whole lines that pyarrow reads exactly as the line reader would: every line one
JSON object, each value a string or null, valid UTF-8, no NUL, no line over the record limit, no
field outside the contract. Anything else (a broken line, a new field, a number where text belongs)
makes `parse` refuse the run; `formats.read_jsonl_bulk` then halves it or gives it to the line
reader, which quarantines with its usual reasons. Values and line numbers are the same either way
(tests/unit/test_sources.py reads the same files both ways).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

SEGMENT_BYTES = 8 << 20  # read at a time; cut at the last line end
ARROW_BLOCK_BYTES = 2 << 20  # pyarrow parses a segment's blocks on its thread pool
LINE_RUN = 64  # a refused run this short goes to the line reader without halving

_NEWLINE, _OPEN, _CLOSE = ord("\n"), ord("{"), ord("}")
_READ = pa_json.ReadOptions(use_threads=True, block_size=ARROW_BLOCK_BYTES)
_CSV = pa_csv.WriteOptions(include_header=False)


class Block:
    """`rows` records from physical line `line` on: one pyarrow array per contract field, NFC;
    fields outside the contract (`extra_names`, on every record) as `_extra` JSON text, or None."""

    __slots__ = ("line", "rows", "arrays", "extra_names", "extra")

    def __init__(self, line: int, rows: int, arrays: list, extra_names=(), extra=None) -> None:
        self.line = line
        self.rows = rows
        self.arrays = arrays
        self.extra_names = extra_names
        self.extra = extra


def line_ends(segment: bytes) -> np.ndarray:
    """Offsets of the segment's newlines (a segment ends with one)."""
    return np.flatnonzero(np.frombuffer(segment, np.uint8) == _NEWLINE)


def parse_options(names: tuple[str, ...]) -> pa_json.ParseOptions:
    schema = pa.schema([(name, pa.string()) for name in names])
    return pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")


class Refused(Exception):
    """pyarrow did not take a run; `everywhere` when the cause is likely on every line (a field
    outside the contract, a value of another type), so halving the run would not help."""

    def __init__(self, everywhere: bool) -> None:
        super().__init__()
        self.everywhere = everywhere


def parse(
    segment: bytes, ends: np.ndarray, options: pa_json.ParseOptions, max_line: int
) -> tuple[list, tuple[str, ...], pa.ChunkedArray | None]:
    """The segment's contract columns, the names of the fields outside the contract and their
    `_extra` JSON, if every line is a record pyarrow reads as the line reader would; else raises
    `Refused`. Lines must start with '{' and end with '}': a line that is `null` is not a record
    (and pyarrow 26 crashes on a block that starts with one)."""
    data = np.frombuffer(segment, np.uint8)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    if int((ends - starts).max()) > max_line or b"\\u0000" in segment:
        raise Refused(everywhere=False)
    if not (data[starts] == _OPEN).all() or not (data[ends - 1] == _CLOSE).all():
        raise Refused(everywhere=False)
    try:
        table = pa_json.read_json(io.BytesIO(segment), read_options=_READ, parse_options=options)
    except pa.ArrowInvalid as exc:
        raise Refused("changed from string to" in str(exc)) from None
    except UnicodeDecodeError:
        raise Refused(everywhere=False) from None
    if table.num_rows != len(ends):
        raise Refused(everywhere=False)  # two objects on one line
    names = options.explicit_schema.names
    extra_names = tuple(n for n in table.column_names if n not in names)
    try:
        arrays = [_nfc(table.column(name)) for name in names]
    except pa.ArrowInvalid:
        raise Refused(everywhere=False) from None  # invalid UTF-8
    return arrays, extra_names, _extra_json(table, extra_names) if extra_names else None


_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_OTHER_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"


def _extra_json(table: pa.Table, extra_names: tuple[str, ...]) -> pa.ChunkedArray:
    """Fields outside the contract as the line reader keeps them: an object of the values as
    exported (not NFC). Only text on every record: a field on some records only (absent and null
    would look alike) or of another type is refused and read line by line."""
    pieces: list = []
    for name in extra_names:
        column = table.column(name)
        if column.type != pa.string() or column.null_count:
            raise Refused(everywhere=True)
        for chunk in column.chunks:
            if chunk.buffers()[2] is not None:
                try:
                    chunk.buffers()[2].to_pybytes().decode("utf-8")
                except UnicodeDecodeError:
                    raise Refused(everywhere=False) from None
        if pc.any(pc.match_substring_regex(column, _OTHER_CONTROL)).as_py():
            raise Refused(everywhere=False)
        for raw, escaped in _JSON_ESCAPES:
            column = pc.replace_substring(column, raw, escaped)
        key = json.dumps(name, ensure_ascii=False)
        pieces += ["," if pieces else "{", key + ':"', column, '"']
    pieces.append("}")
    return pc.binary_join_element_wise(*pieces, "")


def _nfc(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """NFC, as `formats.nfc`; also refuses invalid UTF-8, which pyarrow's JSON reader lets through.
    A column whose bytes are all ASCII is already both."""
    if all(
        chunk.buffers()[2] is None or chunk.buffers()[2].to_pybytes().isascii()
        for chunk in column.chunks
    ):
        return column
    return pc.utf8_normalize(column, "NFC")


def block_csv(block: Block, tail: tuple[str, ...]) -> bytes:
    """The block as COPY CSV: its fields, `_extra`, the `tail` values, the line number.
    Strings are quoted, so '' stays an empty string and null stays NULL."""
    n = block.rows
    columns = [
        *block.arrays,
        pa.nulls(n, pa.string()) if block.extra is None else block.extra,
        *(pa.repeat(pa.scalar(value), n) for value in tail),
        pa.array(np.arange(block.line, block.line + n, dtype=np.int64)),
    ]
    names = [str(i) for i in range(len(columns))]
    out = io.BytesIO()
    pa_csv.write_csv(pa.Table.from_arrays(columns, names=names), out, _CSV)
    return out.getvalue()


def csv_row(values) -> bytes:
    """One record as a COPY CSV line, quoted as `block_csv` quotes (None is NULL)."""
    fields = ("" if v is None else '"' + str(v).replace('"', '""') + '"' for v in values)
    return (",".join(fields) + "\n").encode("utf-8")
