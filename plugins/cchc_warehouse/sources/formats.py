"""File formats -> raw records, field by field, streaming.

Every reader yields `Record` (the fields as text, NFC, in the spec's order, unknown fields in
`extra`) or `Reject` (a record that cannot be read: line, field, reason, raw text), and raises
`SourceFormatError` for what fails the whole file: a truncated file, a missing required column
(`SchemaBreakError`), an unsafe or unreadable container.

The loader reads UTF-8 JSON lines, CSV and XML with `read_file(..., bulk=True)`: the same items,
except that runs of well-formed records come as `Block`s, columns parsed by pyarrow (`blocks.py`),
and only the other records go through the line and element readers below.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import attrgetter
from pathlib import Path

import orjson

from cchc_warehouse.errors import SchemaBreakError, SourceFormatError
from cchc_warehouse.sources import blocks
from cchc_warehouse.sources.blocks import Block

MAX_RECORD_BYTES = 1 << 20  # a longer line is quarantined, never read into memory whole
RAW_PREVIEW = 2000  # characters of a rejected record kept in quarantine.records.raw
MAX_CONTINUATION_LINES = 50  # a quoted CSV field may span lines, but not without end


def snake_case(name: str) -> str:
    """Source field name -> raw column name: MaHoSo -> ma_ho_so, 'Mã hồ sơ' -> ma_ho_so."""
    ascii_name = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in ascii_name if not unicodedata.combining(c))
    ascii_name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", ascii_name.strip())
    return re.sub(r"[^0-9a-zA-Z]+", "_", ascii_name).strip("_").lower()


def header_key(name: str) -> str:
    """How headers are matched: NFC, trimmed, case-folded, without a BOM."""
    return unicodedata.normalize("NFC", name.replace("\ufeff", "")).strip().casefold()


@dataclass(frozen=True)
class Field:
    source: str  # the name in the file
    column: str  # the raw table column
    required: bool


def fields(*names: str) -> tuple[Field, ...]:
    """`fields("A! B C!")`: space-separated names, `!` marks required; `_` inside a name is a space."""
    tokens = names[0].split() if len(names) == 1 else list(names)
    out = []
    for token in tokens:
        required = token.endswith("!")
        source = token.rstrip("!").replace("_", " ") if not token.isascii() else token.rstrip("!")
        out.append(Field(source, snake_case(source), required))
    return tuple(out)


@dataclass(frozen=True)
class FileSpec:
    system: str
    name: str
    table: str  # schema-qualified raw table
    format: str  # jsonl | csv | xml | json | xlsx
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # raw columns identifying a record (versions share it)
    element: str | None = None  # xml: the record element
    sheet: str | None = None  # xlsx: the sheet

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)


class Record:
    __slots__ = ("line", "values", "extra")

    def __init__(self, line: int, values: list[str | None], extra: dict | None) -> None:
        self.line = line
        self.values = values
        self.extra = extra


@dataclass
class Reject:
    line: int
    field: str | None
    reason: str
    raw: str | None


Item = Record | Reject


@dataclass
class ReadState:
    """What a reader learned about the file as a whole while streaming it."""

    extra_columns: set[str] = field(default_factory=set)
    present: set[str] = field(default_factory=set)  # source fields seen in at least one record
    records: int = 0  # data records seen (loaded + rejected)
    records_fast: int = 0  # records with exactly the contract's fields (all present in order)

    def finish(self, spec: FileSpec) -> None:
        """Records that took the fast path had every field of the contract."""
        if self.records_fast:
            self.present.update(f.source for f in spec.fields)


def nfc(value: str) -> str:
    if value.isascii() or unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def preview(value: str | bytes) -> str:
    """A rejected record's text as it can be stored and read: undecodable bytes as \\xNN, no NUL."""
    if isinstance(value, str):
        value = value.encode("utf-8", errors="surrogateescape")
    value = value.decode("utf-8", errors="backslashreplace")
    value = value.replace("\x00", "\\x00")
    return value if len(value) <= RAW_PREVIEW else value[:RAW_PREVIEW] + f"... ({len(value)} chars)"


_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text_problem(text: str) -> str | None:
    """Why decoded text cannot be a record: undecodable bytes or binary control characters."""
    if _SURROGATE.search(text):
        return "undecodable bytes for the file's encoding"
    if _CONTROL.search(text):
        return "binary data (control characters)"
    return None


def _check_required(spec: FileSpec, state: ReadState, file_where: dict) -> None:
    state.finish(spec)
    if state.records == 0:
        return
    missing = [f.source for f in spec.fields if f.required and f.source not in state.present]
    if missing:
        raise SchemaBreakError(
            f"required field {', '.join(missing)} is missing from every record "
            "(renamed or dropped by the source system): the system's load stops here",
            field=missing[0],
            **file_where,
        )


def _scalar(value: object) -> str | None:
    """A JSON value as raw text: strings as they are, booleans 'true'/'false', numbers as written."""
    if value is None:
        return None
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise TypeError(type(value).__name__)


def _object_record(
    obj: object,
    line: int,
    spec: FileSpec,
    index: dict[str, int],
    state: ReadState,
    raw: Callable[[], str],
    allow_lists: frozenset[str] = frozenset(),
) -> Item:
    """`raw` gives the record's text, only called for a reject (most records are loaded)."""
    if not isinstance(obj, dict):
        return Reject(
            line, None, f"expected a JSON object, found {type(obj).__name__}", preview(raw())
        )
    values: list[str | None] = [None] * len(spec.fields)
    extra = None
    for key, value in obj.items():
        i = index.get(key)
        if i is None:
            if extra is None:
                extra = {}
            extra[key] = value
            state.extra_columns.add(key)
            continue
        state.present.add(key)
        if value.__class__ is str:
            if "\x00" in value:
                return Reject(
                    line, key, "contains a NUL character, which text cannot hold", preview(raw())
                )
            values[i] = value if value.isascii() else nfc(value)
            continue
        try:
            if isinstance(value, list) and key in allow_lists:
                values[i] = json.dumps([_scalar(v) for v in value], ensure_ascii=False)
            else:
                values[i] = _scalar(value)
        except TypeError as exc:
            kind = "an object" if isinstance(value, dict) else f"a {exc}"
            return Reject(line, key, f"expected a text value, found {kind}", preview(raw()))
    return Record(line, values, extra)


def _field_layout(
    keys: tuple[str, ...], index: dict[str, int], state: ReadState
) -> tuple[int | str, ...]:
    """Where each key (JSON) or child tag (XML) of a record goes (a field index, or its name for
    `extra`); notes the keys as present or as extra columns, as `_object_record` does for each
    record."""
    layout: list[int | str] = []
    for key in keys:
        i = index.get(key)
        if i is None:
            state.extra_columns.add(key)
            layout.append(key)
        else:
            state.present.add(key)
            layout.append(i)
    return tuple(layout)


def _laid_out(layout, values, extras, width: int) -> tuple[list[str | None], dict | None]:
    """A record's values placed by its `_field_layout`: (the contract's columns, the unknown
    fields by name, taken from `extras`, or None)."""
    row: list[str | None] = [None] * width
    extra = None
    for target, value, original in zip(layout, values, extras, strict=True):
        if target.__class__ is int:
            row[target] = value
        else:
            if extra is None:
                extra = {}
            extra[target] = original
    return row, extra


class _Jsonl:
    """What the JSON-lines readers share over one file."""

    def __init__(self, spec: FileSpec, encoding: str, state: ReadState) -> None:
        self.spec = spec
        self.encoding = encoding
        self.state = state
        self.index = {f.source: i for i, f in enumerate(spec.fields)}
        self.names = tuple(f.source for f in spec.fields)
        self.layouts: dict[tuple[str, ...], tuple[int | str, ...]] = {}
        self.utf8 = encoding in ("utf-8", "utf-8-sig")


def read_jsonl(
    path: Path, spec: FileSpec, encoding: str, state: ReadState, where: dict
) -> Iterator[Item]:
    """hoso.jsonl: one JSON object per line, every value a string."""
    with path.open("rb") as f:
        yield from _jsonl_lines(f, _Jsonl(spec, encoding, state), where, 0, None)
    _check_required(spec, state, where)


def read_jsonl_bulk(
    path: Path, spec: FileSpec, encoding: str, state: ReadState, where: dict
) -> Iterator[Item | Block]:
    """hoso.jsonl as `read_jsonl` reads it, but runs of well-formed lines come as `Block`s parsed by
    pyarrow (UTF-8 files); the rest goes through the line reader, line by line."""
    ctx = _Jsonl(spec, encoding, state)
    options = blocks.parse_options(ctx.names)
    keys = [orjson.dumps(name) for name in ctx.names]
    line_no = 0

    def parsed(segment: bytes, ends) -> tuple | blocks.Refused:
        try:
            return blocks.parse(segment, ends, options, MAX_RECORD_BYTES)
        except blocks.Refused as refused:
            return refused

    def run_items(
        segment: bytes, ends, line_no: int, arrays: tuple | blocks.Refused
    ) -> Generator[Item | Block, None, int]:
        """The run's records: one block if pyarrow took it, else its halves, else line by line."""
        rows = len(ends)
        if not isinstance(arrays, blocks.Refused):
            columns, extra_names, extra = arrays
            state.records += rows
            state.extra_columns.update(extra_names)
            for name, key, column in zip(ctx.names, keys, columns, strict=True):
                if name not in state.present and (column.null_count < rows or key in segment):
                    state.present.add(name)
            yield Block(line_no + 1, rows, columns, extra_names, extra)
            return line_no + rows
        if rows > blocks.LINE_RUN and arrays.everywhere:
            # a new field or a value of another type: on every line (a drifted export, read line
            # by line) if the run's first lines have it too, else on a few (halve around them)
            probe = int(ends[blocks.LINE_RUN - 1]) + 1
            first = parsed(segment[:probe], ends[: blocks.LINE_RUN])
            if not isinstance(first, blocks.Refused) or not first.everywhere:
                arrays = blocks.Refused(everywhere=False)
        if rows > blocks.LINE_RUN and not arrays.everywhere:
            # a bad line costs a few re-parses of ever smaller halves around it
            half = rows // 2
            cut = int(ends[half - 1]) + 1
            first, second = segment[:cut], segment[cut:]
            first_ends, second_ends = ends[:half], ends[half:] - cut
            line_no = yield from run_items(first, first_ends, line_no, parsed(first, first_ends))
            return (yield from run_items(second, second_ends, line_no, parsed(second, second_ends)))
        return (yield from _jsonl_lines(io.BytesIO(segment), ctx, where, line_no, None))

    with path.open("rb") as f:
        if f.read(3) == b"\xef\xbb\xbf":  # a byte order mark: the line reader strips it
            f.seek(0)
            line_no = yield from _jsonl_lines(f, ctx, where, line_no, 1)
        else:
            f.seek(0)
        size = blocks.FIRST_SEGMENT_BYTES
        while True:
            at = f.tell()
            data = f.read(size)
            if not data:
                break
            size = min(2 * size, blocks.SEGMENT_BYTES)
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # no line end: a line over the limit, or a last line without one
                f.seek(at)
                line_no = yield from _jsonl_lines(f, ctx, where, line_no, 1)
                continue
            f.seek(at + cut)
            segment = data[:cut]
            ends = blocks.line_ends(segment)
            line_no = yield from run_items(segment, ends, line_no, parsed(segment, ends))
    _check_required(spec, state, where)


def _jsonl_lines(
    f, ctx: _Jsonl, where: dict, line_no: int, limit: int | None
) -> Generator[Item, None, int]:
    """Read up to `limit` lines (None: to the end) of `f`, numbered on from `line_no`; returns the
    last line number read."""
    spec, encoding, state, index, names = ctx.spec, ctx.encoding, ctx.state, ctx.index, ctx.names
    width = len(names)
    layouts = ctx.layouts
    utf8 = ctx.utf8
    stop = None if limit is None else line_no + limit
    while line_no != stop:
        line = f.readline(MAX_RECORD_BYTES + 1)
        if not line:
            break
        line_no += 1
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            size = len(line)
            head = line[:RAW_PREVIEW]
            while line and not line.endswith(b"\n"):
                line = f.readline(MAX_RECORD_BYTES)
                size += len(line)
            state.records += 1
            yield Reject(
                line_no, None, f"record of {size} bytes exceeds the 1 MiB limit", preview(head)
            )
            continue
        if line_no == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]  # a UTF-8 byte order mark is not part of the record
        last = not line.endswith(b"\n")
        if not line.strip():
            continue  # a blank line is not a record (line numbers stay physical)
        state.records += 1
        try:
            # orjson reads UTF-8 bytes directly (and refuses invalid UTF-8)
            obj = orjson.loads(line if utf8 else line.decode(encoding))
        except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
            try:
                text = line.decode(encoding)
            except UnicodeDecodeError as bad:
                problem = f"undecodable bytes for {encoding} at byte {bad.start}"
                yield Reject(line_no, None, problem, preview(line))
                continue
            if last:
                raise SourceFormatError(
                    f"file is cut short: the last line ({line_no}) is an incomplete JSON object",
                    line=line_no,
                    **where,
                ) from None
            problem = _text_problem(text) or f"not valid JSON ({exc})"
            yield Reject(line_no, None, problem, preview(text))
            continue
        # fast path: every value a string, in a key order already seen (the contract's, or
        # one with drifted or reordered keys): its column mapping is cached per key tuple
        if obj.__class__ is dict and b"\\u0000" not in line:
            values = list(obj.values())
            if all(v.__class__ is str for v in values):
                if not line.isascii():
                    for i, v in enumerate(values):
                        if not v.isascii() and not unicodedata.is_normalized("NFC", v):
                            values[i] = unicodedata.normalize("NFC", v)
                keys = tuple(obj)
                if keys == names:
                    state.records_fast += 1
                    yield Record(line_no, values, None)
                    continue
                layout = layouts.get(keys)
                if layout is None:
                    layout = layouts[keys] = _field_layout(keys, index, state)
                # unknown fields are kept as exported (not NFC-normalised)
                yield Record(line_no, *_laid_out(layout, values, obj.values(), width))
                continue
        yield _object_record(
            obj,
            line_no,
            spec,
            index,
            state,
            lambda b=line: b.decode(encoding, errors="replace"),
        )
    return line_no


def _split_csv(text: str, strict: bool) -> list[str] | None:
    try:
        rows = list(csv.reader([text], strict=strict))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


class _CsvHeader:
    """Where each column of a CSV file's header goes: a field of the spec or `extra` by name."""

    def __init__(self, fields: list[str], spec: FileSpec, state: ReadState, where: dict) -> None:
        by_key = {header_key(f.source): i for i, f in enumerate(spec.fields)}
        by_key.update({f.column: i for i, f in enumerate(spec.fields)})
        # (position in file row, spec index or extra name)
        self.positions: list[tuple[int, int | str]] = []
        for pos, name in enumerate(fields):
            i = by_key.get(header_key(name))
            if i is None:
                extra_name = name.replace("\ufeff", "").strip()
                self.positions.append((pos, extra_name))
                state.extra_columns.add(extra_name)
            else:
                self.positions.append((pos, i))
                state.present.add(spec.fields[i].source)
        missing = [f.source for f in spec.fields if f.required and f.source not in state.present]
        if missing:
            raise SchemaBreakError(
                f"required column {', '.join(missing)} is missing from the header "
                f"(found: {', '.join(fields)}): the system's load stops here",
                field=missing[0],
                line=1,
                **where,
            )
        self.width = len(fields)
        self.nfields = len(spec.fields)
        self.plain = all(isinstance(t, int) for _, t in self.positions) and [
            t for _, t in self.positions
        ] == list(range(self.nfields))


def _csv_item(
    rec: tuple[int, str, bool], data_no: int, lines, header: _CsvHeader, where: dict
) -> Item:
    """One CSV record read by `_next_csv_record` as a Record or a Reject."""
    n_lines, text, last = rec
    width = header.width
    problem = _text_problem(text)
    if problem:
        return Reject(data_no, None, problem, preview(text))
    if not text.isascii():
        text = nfc(text)
    row = text.split(",") if '"' not in text else _split_csv(text, strict=True)
    if row is not None and len(row) != width and n_lines > 1:
        row = None
    if row is None and n_lines > 1:
        # an unbalanced quote swallowed the following lines: reject this line alone
        first, rest = text.split("\n", 1) if "\n" in text else (text, "")
        lines.push_back(rest, n_lines - 1)
        row = _split_csv(first, strict=False)
        text = first
    if row is None or len(row) != width:
        if last and (row is None or len(row) < width):
            raise SourceFormatError(
                f"file is cut short: the last row ({data_no}) has "
                f"{0 if row is None else len(row)} of {width} fields",
                line=data_no,
                **where,
            )
        found = "none readable" if row is None else str(len(row))
        quotes = "unbalanced quotes; " if text.count('"') % 2 else ""
        return Reject(
            data_no, None, f"{quotes}expected {width} fields, found {found}", preview(text)
        )
    if header.plain:
        return Record(data_no, row, None)
    values: list[str | None] = [None] * header.nfields
    extra = None
    for pos, target in header.positions:
        if isinstance(target, int):
            values[target] = row[pos]
        else:
            if extra is None:
                extra = {}
            extra[target] = row[pos]
    return Record(data_no, values, extra)


def read_csv(
    path: Path, spec: FileSpec, encoding: str, state: ReadState, where: dict
) -> Iterator[Item]:
    """RFC 4180 CSV with a header; a record is located by its 1-based data line (header excluded)."""
    open_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    with path.open("r", encoding=open_encoding, errors="surrogateescape", newline="") as f:
        lines = _PushbackLines(f)
        first = _next_csv_record(lines)
        if first is None:
            return
        header = _CsvHeader(_split_csv(first[1], strict=False) or [], spec, state, where)
        data_no = 0
        while (rec := _next_csv_record(lines)) is not None:
            data_no += 1
            state.records += 1
            yield _csv_item(rec, data_no, lines, header, where)


def read_csv_bulk(
    path: Path, spec: FileSpec, encoding: str, state: ReadState, where: dict
) -> Iterator[Item | Block]:
    """A UTF-8 CSV file as `read_csv` reads it, but runs of plain lines (each line one record of
    the header's width, quotes only around whole fields, no control character) come as `Block`s
    parsed by pyarrow; the line reader takes the rest, from the same file position."""
    with path.open("rb") as f:
        if f.read(3) != b"\xef\xbb\xbf":
            f.seek(0)
        lines = _BinaryLines(f)
        first = _next_csv_record(lines)
        if first is None:
            return
        header = _CsvHeader(_split_csv(first[1], strict=False) or [], spec, state, where)
        runs = blocks.CsvRuns(header.width)
        data_no = 0
        pause = 0  # records to read line by line before peeking again
        while True:
            if pause == 0 and not lines.pending():
                at = f.tell()
                run = runs.read(f.read(runs.peek))
                if run is not None:
                    f.seek(at + run.bytes)
                    state.records += run.rows
                    yield _csv_block(run, data_no + 1, header)
                    data_no += run.rows
                    continue
                f.seek(at)
                pause = blocks.LINE_RUN
            rec = _next_csv_record(lines)
            if rec is None:
                break
            pause = max(0, pause - 1)
            data_no += 1
            state.records += 1
            yield _csv_item(rec, data_no, lines, header, where)


def _csv_block(run: blocks.CsvRun, line: int, header: _CsvHeader) -> Block:
    """A run's columns put in the spec's order; columns outside the contract as `_extra`."""
    columns: list = [None] * header.nfields
    extra_names: list[str] = []
    extra_columns = []
    for pos, target in header.positions:
        if isinstance(target, int):
            columns[target] = run.columns[pos]
        else:
            extra_names.append(target)
            extra_columns.append(run.columns[pos])
    for i, column in enumerate(columns):
        if column is None:  # a field the header does not have
            columns[i] = blocks.nulls(run.rows)
    extra = blocks.extra_json(extra_names, extra_columns) if extra_names else None
    return Block(line, run.rows, columns, tuple(extra_names), extra)


class _PushbackLines:
    """Physical lines of a text file, with lines that must be read again pushed back."""

    def __init__(self, f) -> None:
        self._f = f
        self._pending: list[str] = []

    def push_back(self, text: str, n_lines: int) -> None:
        if text:
            parts = text.split("\n")
            self._pending = (
                [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else []) + self._pending
            )

    def readline(self) -> str:
        if self._pending:
            return self._pending.pop(0)
        return self._f.readline()


class _BinaryLines(_PushbackLines):
    """`_PushbackLines` over a binary file, with the text reader's lines: they end at LF, CRLF or
    a lone CR; decoded as UTF-8 with undecodable bytes kept, as the text reader keeps them."""

    def pending(self) -> bool:
        return bool(self._pending)

    def readline(self) -> str:
        if self._pending:
            return self._pending.pop(0)
        line = self._f.readline().decode("utf-8", errors="surrogateescape")
        if "\r" in line[:-2]:
            cuts = [m.end() for m in _LONE_CR.finditer(line)]
            if cuts and cuts[-1] < len(line):
                parts = [line[a:b] for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
                self._pending = parts[1:] + self._pending
                return parts[0]
        return line


_LONE_CR = re.compile("\r(?!\n)")


def _next_csv_record(lines: _PushbackLines) -> tuple[int, str, bool] | None:
    """The next CSV record's text (a quoted field may span lines): (physical lines, text, is_last)."""
    while True:
        line = lines.readline()
        if not line:
            return None
        if line.strip("\r\n"):
            break
    parts = [line]
    quotes = line.count('"')
    while quotes % 2 and len(parts) < MAX_CONTINUATION_LINES:
        more = lines.readline()
        if not more:
            break
        parts.append(more)
        quotes += more.count('"')
    text = "".join(parts)
    last = not text.endswith("\n")
    return len(parts), text.rstrip("\r\n"), last


XML_READ = 1 << 16
XML_BULK_READ = 1 << 18  # Arrow reads whole runs: fewer, longer calls
XML_TAIL = 512  # longer than any tag: a record or closing root tag split across reads survives
_UNSAFE_XML = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def read_xml(
    path: Path, spec: FileSpec, encoding: str, state: ReadState, where: dict, bulk: bool = False
) -> Iterator[Item | Block]:
    """trangthai.xml: a root element holding one element per record. Each element is parsed on its
    own, so a bad element is quarantined without losing the others. DTDs and entities are refused.
    `bulk`: runs of plain elements come as `Block`s read in Arrow (`blocks.XmlElements`)."""
    from defusedxml import ElementTree as SafeET

    index = {f.source: i for i, f in enumerate(spec.fields)}
    plain = blocks.XmlElements(spec.element, tuple(index)) if bulk else None
    read_size = XML_BULK_READ if bulk else XML_READ
    open_re = re.compile(rf"<{re.escape(spec.element)}[\s>/]")
    close_tag = f"</{spec.element}>"
    element_no = 0
    layouts: dict[tuple[str, ...], tuple[int | str, ...] | None] = {}
    slow = 0  # elements left to read one by one after a span the fast path could not take
    with path.open("r", encoding=encoding, errors="surrogateescape", newline="") as f:

        def more() -> str:
            text = f.read(read_size)
            if _UNSAFE_XML.search(text):
                raise SourceFormatError(
                    "declares a DTD or entities (<!DOCTYPE/<!ENTITY): refused, "
                    "external entities are never resolved",
                    **where,
                )
            return text

        buf = more()
        eof = not buf
        while True:
            m = open_re.search(buf)
            if m is None:
                if eof:
                    break
                chunk = more()
                if chunk:
                    buf = buf[-XML_TAIL:] + chunk  # keep a tag split by the read boundary
                else:
                    eof = True
                continue
            start = m.start()
            if slow:
                slow -= 1
            else:
                # fast path: every complete element in the buffer parsed at once by the C parser
                last = buf.rfind(close_tag)
                if last > start:
                    span_end = last + len(close_tag)
                    span = buf[start:span_end]
                    if plain:
                        rows, used, columns = plain.read(span)
                        if columns is not None:
                            state.records += rows
                            if len(state.present) < len(index):
                                _field_layout(tuple(index), index, state)
                            yield Block(element_no + 1, rows, columns)
                            element_no += rows
                            buf = buf[start + used :]
                            continue
                        span_end = start + used  # the elements before the next plain one
                        span = buf[start:span_end]
                    records = _xml_span(
                        span, element_no, spec, index, state, layouts, open_re, close_tag
                    )
                    if records is not None:
                        element_no += len(records)
                        yield from records
                        buf = buf[span_end:]
                        continue
                    slow = len(open_re.findall(span)) - 1  # read these one by one, as below
            end = buf.find(close_tag, start)
            nxt = open_re.search(buf, start + 1)
            if end >= 0 and (nxt is None or end < nxt.start()):
                element_no += 1
                yield _xml_record(
                    buf[start : end + len(close_tag)], element_no, spec, index, state, SafeET
                )
                buf = buf[end + len(close_tag) :]
                continue
            if nxt is not None:
                element_no += 1
                state.records += 1
                yield Reject(
                    element_no,
                    None,
                    f"<{spec.element}> element is not closed",
                    preview(buf[start : nxt.start()]),
                )
                buf = buf[nxt.start() :]
                continue
            if eof:
                raise SourceFormatError(
                    f"file is cut short inside <{spec.element}> element {element_no + 1}",
                    line=element_no + 1,
                    **where,
                )
            chunk = more()
            eof = not chunk
            buf += chunk
    if not re.search(r"</\w+>\s*$", buf):
        raise SourceFormatError("file is cut short: the root element is not closed", **where)
    _check_required(spec, state, where)


_TAG = attrgetter("tag")
_TEXT = attrgetter("text")


def _xml_span(
    span: str,
    number: int,
    spec: FileSpec,
    index: dict[str, int],
    state: ReadState,
    layouts: dict[tuple[str, ...], tuple[int | str, ...] | None],
    open_re: re.Pattern,
    close_tag: str,
) -> list[Record] | None:
    """Consecutive complete record elements parsed in one call of the C parser, or None when the
    span needs `_xml_record`, element by element: anything that would be rejected, or markup the
    element-by-element reader reads differently (self-closed or nested record elements, other
    elements between records). Only text without `<!` (so without a DTD, entity declarations,
    comments or CDATA) and without `<?` reaches the plain parser: it cannot expand entities, so
    defusedxml's checks have nothing to find there; everything else goes through defusedxml.

    `layouts` caches, per sequence of child tags, where each child goes (None: the contract's
    fields in order), so the usual record costs no per-field lookups."""
    if "<!" in span or "<?" in span or "\x7f" in span:
        return None
    try:
        # the parser refuses the other control characters and undecodable bytes (surrogates)
        root = ET.fromstring(f"<_>{span}</_>")
    except (ET.ParseError, UnicodeEncodeError):
        return None
    count = len(root)
    if span.count(close_tag) != count or len(open_re.findall(span)) != count:
        return None
    tag = spec.element
    children = 0
    for element in root:
        if element.tag != tag:
            return None
        children += len(element)
    if sum(1 for _ in root.iter()) != 1 + count + children:
        return None  # a field with nested elements: rejected by `_xml_record`
    out = []
    append = out.append
    width = len(spec.fields)
    for element in root:
        number += 1
        tags = tuple(map(_TAG, element))
        if tags not in layouts:
            layouts[tags] = _xml_layout(tags, spec, index, state)
        layout = layouts[tags]
        values = [
            (t.strip() if t.isascii() else nfc(t.strip())) if t else "" for t in map(_TEXT, element)
        ]
        if layout is None:
            append(Record(number, values, None))
            continue
        append(Record(number, *_laid_out(layout, values, values, width)))
    state.records += count
    return out


def _xml_layout(
    tags: tuple[str, ...], spec: FileSpec, index: dict[str, int], state: ReadState
) -> tuple[int | str, ...] | None:
    """Where a record's children go: a field index or an extra name each (None: the contract's
    fields in order); notes the fields as present and the unknown ones as extra columns."""
    layout = _field_layout(tags, index, state)
    if len(set(tags)) == len(tags) and list(layout) == list(range(len(spec.fields))):
        return None
    return layout


def _xml_record(
    chunk: str, number: int, spec: FileSpec, index: dict[str, int], state: ReadState, SafeET
) -> Item:
    state.records += 1
    problem = _text_problem(chunk)
    if problem:
        return Reject(number, None, problem, preview(chunk))
    try:
        element = SafeET.fromstring(chunk)
    except Exception as exc:  # noqa: BLE001 - ParseError and defusedxml's refusals alike
        return Reject(number, None, f"bad XML element ({exc})", preview(chunk))
    values: list[str | None] = [None] * len(spec.fields)
    extra = None
    for child in element:
        tag = child.tag
        if len(child):
            return Reject(
                number, tag, f"<{tag}> has nested elements, expected text", preview(chunk)
            )
        text = nfc(child.text.strip()) if child.text else ""
        i = index.get(tag)
        if i is None:
            if extra is None:
                extra = {}
            extra[tag] = text
            state.extra_columns.add(tag)
        else:
            values[i] = text
            state.present.add(tag)
    return Record(number, values, extra)


def read_json_array(
    path: Path, spec: FileSpec, encoding: str, state: ReadState, where: dict
) -> Iterator[Item]:
    """coquan.json / thutuc.json: a complete snapshot, a JSON array of objects (small files)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            f"undecodable bytes for {encoding} at byte {exc.start}", **where
        ) from None
    try:
        items = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise SourceFormatError(
            f"not a valid JSON document, cut short or damaged ({exc})", **where
        ) from None
    if not isinstance(items, list):
        raise SourceFormatError(
            f"expected a JSON array of records, found {type(items).__name__}", **where
        )
    index = {f.source: i for i, f in enumerate(spec.fields)}
    lists = frozenset(f.source for f in spec.fields)
    for number, obj in enumerate(items, start=1):
        state.records += 1
        yield _object_record(
            obj,
            number,
            spec,
            index,
            state,
            lambda o=obj: json.dumps(o, ensure_ascii=False)[:RAW_PREVIEW],
            lists,
        )
    _check_required(spec, state, where)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value).strip()) if isinstance(value, str) else str(value)


def read_xlsx(
    path: Path, spec: FileSpec, encoding: str, state: ReadState, where: dict
) -> Iterator[Item]:
    """danhgia.xlsx: one sheet, a header row, one rating a row; formulas are never evaluated."""
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceFormatError(
            f"not a readable .xlsx workbook, cut short or damaged ({exc})", **where
        ) from None
    try:
        if spec.sheet not in wb.sheetnames:
            raise SchemaBreakError(
                f"sheet {spec.sheet!r} is missing (found: {', '.join(wb.sheetnames)})",
                field=spec.sheet,
                **where,
            )
        rows = wb[spec.sheet].iter_rows()
        header_cells = next(rows, None)
        if header_cells is None:
            return
        headers = [str(c.value) if c.value is not None else "" for c in header_cells]
        by_key = {header_key(f.source): i for i, f in enumerate(spec.fields)}
        targets: list[int | str] = []
        for name in headers:
            i = by_key.get(header_key(name))
            if i is None:
                targets.append(name.strip())
                if name.strip():
                    state.extra_columns.add(name.strip())
            else:
                targets.append(i)
                state.present.add(spec.fields[i].source)
        missing = [f.source for f in spec.fields if f.required and f.source not in state.present]
        if missing:
            raise SchemaBreakError(
                f"required column {', '.join(missing)} is missing from the header row "
                f"(found: {', '.join(headers)})",
                field=missing[0],
                line=1,
                **where,
            )
        number = 0
        for cells in rows:
            if all(c.value is None for c in cells):
                continue
            number += 1
            state.records += 1
            values: list[str | None] = [None] * len(spec.fields)
            extra = None
            bad = None
            for pos, cell in enumerate(cells):
                target = targets[pos] if pos < len(targets) else f"column {pos + 1}"
                name = spec.fields[target].source if isinstance(target, int) else target
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith("=")
                ):
                    bad = Reject(
                        number,
                        name,
                        f"cell {getattr(cell, 'coordinate', '?')} holds a formula ({str(cell.value)[:80]}); "
                        "a value was expected and formulas are never evaluated",
                        preview(" | ".join(str(c.value) for c in cells)),
                    )
                    break
                text = _cell_text(cell.value)
                if isinstance(target, int):
                    values[target] = text
                elif text is not None:
                    if extra is None:
                        extra = {}
                    extra[target] = text
            yield bad or Record(number, values, extra)
    finally:
        wb.close()


READERS: dict[str, Callable[..., Iterator[Item]]] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "xml": read_xml,
    "json": read_json_array,
    "xlsx": read_xlsx,
}


def reads_blocks(spec: FileSpec, encoding: str) -> bool:
    """Whether `read_file(..., bulk=True)` yields `Block`s for this file (UTF-8 JSON lines, CSV,
    XML)."""
    return spec.format in ("jsonl", "csv", "xml") and encoding in ("utf-8", "utf-8-sig")


def read_file(
    path: Path, spec: FileSpec, encoding: str, state: ReadState, where: dict, *, bulk: bool = False
) -> Iterator[Item | Block]:
    """Stream a file's records; `where` (system, export_date, file) goes into every error.
    `bulk`: runs of well-formed records may come as `Block`s (see `reads_blocks`)."""
    if bulk and reads_blocks(spec, encoding):
        if spec.format == "xml":
            return read_xml(path, spec, encoding, state, where, bulk=True)
        bulk_reader = read_jsonl_bulk if spec.format == "jsonl" else read_csv_bulk
        return bulk_reader(path, spec, encoding, state, where)
    return READERS[spec.format](path, spec, encoding, state, where)
