"""Bulk reading of JSON lines, CSV and XML with pyarrow: runs of well-formed records parsed in C
and handed to COPY as CSV, so a million-record file does not cost a million rounds of Python.

A block is a run of whole lines that pyarrow reads exactly as the line reader would. JSON lines
(`parse`): every line one JSON object, each value a string or null, valid UTF-8, no NUL, no line
over the record limit; a field outside the contract only as text on every line of the run. CSV
(`CsvRuns`): every line one record of the header's width, quotes only around whole fields, no
control character. XML (`XmlElements`): record elements holding the contract's fields in
order, text only, without entity, CR or character XML refuses. Anything else (a broken line, a
number where text belongs, an unbalanced quote) makes pyarrow's run stop or be refused;
`formats.read_jsonl_bulk` and `formats.read_csv_bulk` then halve the run or give its lines to
the line reader, which quarantines with its usual reasons (`formats.read_xml` gives the other
elements to the C parser or the element reader). Values, line numbers and rejects are the same
either way (tests/unit/test_bulk_readers.py reads every defect both ways). NFC is pyarrow's
(utf8proc).
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

SEGMENT_BYTES = 8 << 20  # read at a time at most; cut at the last line end
FIRST_SEGMENT_BYTES = 256 << 10  # the first read, doubling: a day's small file goes in a few
# segments, so pyarrow parses the next while the server stores the one before
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
    if not extra_names:
        return arrays, extra_names, None
    extra_columns = [table.column(name) for name in extra_names]
    for column in extra_columns:
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
    return arrays, extra_names, extra_json(extra_names, extra_columns)


_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_OTHER_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"


def extra_json(names, columns) -> pa.ChunkedArray:
    """Fields outside the contract as the line reader keeps them, an object of text values. JSON
    lines: the value as exported (not NFC), and only text on every record (a field on some records
    only, where absent and null would look alike, or of another type is read line by line)."""
    pieces: list = []
    for name, column in zip(names, columns, strict=True):
        for raw, escaped in _JSON_ESCAPES:
            column = pc.replace_substring(column, raw, escaped)
        key = json.dumps(name, ensure_ascii=False)
        pieces += ["," if pieces else "{", key + ':"', column, '"']
    pieces.append("}")
    return pc.binary_join_element_wise(*pieces, "")


def nulls(rows: int) -> pa.ChunkedArray:
    return pa.chunked_array([pa.nulls(rows, pa.string())])


def _nfc(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """NFC, as `formats.nfc`; also refuses invalid UTF-8, which pyarrow's JSON reader lets through.
    A column whose bytes are all ASCII is already both."""
    if all(
        chunk.buffers()[2] is None or chunk.buffers()[2].to_pybytes().isascii()
        for chunk in column.chunks
    ):
        return column
    return pc.utf8_normalize(column, "NFC")


MIN_PEEK = 64 << 10  # a CSV run is looked for in this much, doubling while runs go on


class CsvRun:
    """`rows` plain CSV lines, `bytes` long, parsed: one pyarrow array per header column, NFC."""

    __slots__ = ("rows", "bytes", "columns")

    def __init__(self, rows: int, size: int, columns: list) -> None:
        self.rows = rows
        self.bytes = size
        self.columns = columns


def csv_line_pattern(width: int) -> str:
    """A line the CSV line reader takes as one record of `width` fields, exactly as pyarrow does:
    each field unquoted without quotes, or quoted whole with inner quotes doubled; no control
    character but tab (the line reader quarantines those); ending in LF or CRLF."""
    bad = "\\x00-\\x08\\x0a-\\x1f\\x7f"
    field = f'(?:"(?:[^"{bad}]|"")*"|[^",{bad}]*)'
    return f"^{field}(?:,{field}){{{width - 1}}}\\r?\\n$"


class CsvRuns:
    """Runs of plain lines in a CSV file's data, for a header of `width` columns."""

    def __init__(self, width: int) -> None:
        self.pattern = csv_line_pattern(width)
        self.peek = MIN_PEEK
        names = [f"c{i}" for i in range(width)]
        self._read = pa_csv.ReadOptions(column_names=names, block_size=ARROW_BLOCK_BYTES)
        self._parse = pa_csv.ParseOptions(double_quote=True, escape_char=False)
        self._convert = pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )

    def read(self, data: bytes) -> CsvRun | None:
        """The run of plain lines at the start of `data` if it has at least LINE_RUN of them."""
        cut = data.rfind(b"\n") + 1
        run = self._run(data[:cut]) if cut else None
        if run is None:
            self.peek = MIN_PEEK if cut else min(2 * self.peek, SEGMENT_BYTES)
        elif run.bytes == cut:  # every line was plain: look further next time
            self.peek = min(2 * self.peek, SEGMENT_BYTES)
        return run

    def _run(self, segment: bytes) -> CsvRun | None:
        ends = line_ends(segment)
        offsets = np.empty(len(ends) + 1, np.int32)
        offsets[0] = 0
        offsets[1:] = ends + 1
        lines = pa.StringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(segment))
        try:
            plain = pc.match_substring_regex(lines, self.pattern).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            return None
        bad = np.flatnonzero(~plain)
        rows = len(ends) if len(bad) == 0 else int(bad[0])
        if rows < LINE_RUN:
            return None
        size = int(ends[rows - 1]) + 1
        try:
            table = pa_csv.read_csv(
                io.BytesIO(segment[:size]),
                read_options=self._read,
                parse_options=self._parse,
                convert_options=self._convert,
            )
            if table.num_rows != rows:
                return None
            return CsvRun(rows, size, [_nfc(column) for column in table.columns])
        except pa.ArrowInvalid:
            return None  # invalid UTF-8


_XML_SPACE = "[ \\t\\r\\n]*"
# text the C parser returns as written: no markup, entity or character XML refuses, no CR (the
# parser turns it into LF)
_XML_TEXT = "[^<>&\\x00-\\x08\\x0b-\\x1f\\x7f\\x{FFFE}\\x{FFFF}]*"
_SURROGATE = re.compile("[\\udc80-\\udcff]")
_EDGE_SPACE = "^[\\x{85}\\pZ]|[\\x{85}\\pZ]$"  # stripped by str.strip, not by an ASCII trim


class XmlElements:
    """Runs of plain record elements (`<element>` then the contract's fields in order, each a
    text-only child, and whitespace between) read by one RE2 pattern in Arrow: the values the
    element parser would give, stripped and NFC."""

    def __init__(self, element: str, fields: tuple[str, ...]) -> None:
        self.close = f"</{element}>"
        children = "".join(
            f"{_XML_SPACE}<{name}>(?P<f{i}>{_XML_TEXT})</{name}>" for i, name in enumerate(fields)
        )
        self.pattern = f"^{_XML_SPACE}<{element}>{children}{_XML_SPACE}$"

    def read(self, span: str) -> tuple[int, int, list | None]:
        """(elements, characters of `span` they take, one array per field) for the plain elements
        at the start of `span` (complete elements, the first starting it); if the first is not
        plain, (elements, characters, None) for the elements before the next plain one."""
        try:
            data = span.encode("utf-8")
        except UnicodeEncodeError:  # bytes the file's encoding could not decode, as surrogates
            undecodable = _SURROGATE.search(span).start()
            cut = span.rfind(self.close, 0, undecodable)
            if cut < 0:
                return 1, span.find(self.close, undecodable) + len(self.close), None
            span = span[: cut + len(self.close)]
            data = span.encode("utf-8")
        pieces = pc.split_pattern(pa.array([data], pa.string()), self.close)[0].values
        pieces = pieces.slice(0, len(pieces) - 1)  # after the last closing tag
        found = pc.extract_regex(pieces, self.pattern)
        fields = [pc.ascii_trim_whitespace(field) for field in found.flatten()]
        plain = found.is_valid().to_numpy(zero_copy_only=False)
        for field in fields:
            edge = pc.match_substring_regex(field, _EDGE_SPACE).fill_null(False)
            plain &= ~edge.to_numpy(zero_copy_only=False)
        first = bool(plain[0])
        rows = len(plain) if (plain == first).all() else int(np.argmax(plain != first))
        used = pc.sum(pc.binary_length(pieces.slice(0, rows))).as_py() + rows * len(self.close)
        chars = len(data[:used].decode("utf-8"))
        if not first:
            return rows, chars, None
        return rows, chars, [_nfc(pa.chunked_array([field.slice(0, rows)])) for field in fields]


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
