"""Reading a partner's CSV or XLSX file safely: bounded in rows, bytes and columns.

A partner list is untrusted input. An XLSX file is a zip of XML parts, so a few
kilobytes can unpack to gigabytes (a zip bomb), declare entities that expand
exponentially ("billion laughs") or point at local files (XXE). Before openpyxl
parses anything, every part is decompressed as a stream and counted against
`ImportLimits.max_unzipped_bytes`, and a part that declares a DTD is refused:
spreadsheet programs never write one. openpyxl then parses with defusedxml
(installed as a dependency, which openpyxl uses when present) as a second
guard. Every problem becomes an `UnreadableFile` whose message says what is
wrong in words a broker can act on; the web page answers it with a 422.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from itertools import chain
from pathlib import Path
from typing import Any

from directory.settings import get_settings

#: Columns read per row at most; real lists have a few dozen.
MAX_COLUMNS = 200
#: Bytes of decompressed XML read per step while counting a part's size.
_CHUNK = 1 << 16
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
#: Rows looked at for the header. Municipal sheets put a title, an empty row and notes above it.
HEADER_SCAN = 15
#: Sheets of a workbook looked at for the list (an explanation sheet often comes first).
MAX_SHEETS = 5
_COL = re.compile(rb"<(?:\w+:)?col\s([^>]*)>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\s([^>]*)>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+\d+:[A-Z]+\d+)"')


class UnreadableFile(ValueError):
    """A list that cannot be read (broken, hostile or too large); the message says why and what to do."""


@dataclass(frozen=True)
class ImportLimits:
    """How much one list may hold: rows, unpacked XLSX bytes, and rejected rows before giving up."""

    max_rows: int = 10_000
    max_unzipped_bytes: int = 50_000_000
    max_rejected: int = 500

    @classmethod
    def from_settings(cls) -> ImportLimits:
        """The limits set by WIJKGRAM_IMPORT_MAX_ROWS, _MAX_XLSX_BYTES and _MAX_REJECTED."""
        settings = get_settings().imports
        return cls(settings.max_rows, settings.max_xlsx_bytes, settings.max_rejected)


Rows = Iterator[tuple[int, list[str]]]
#: How many cells of a candidate header row name a known column.
HeaderScore = Callable[[list[str]], int]


@dataclass
class TableRows:
    """A list as read: its header row (and where it was), hidden columns, and the rows below it."""

    header: list[str]
    rows: Rows
    #: The file's line (CSV) or sheet row (XLSX) of the header; lines above it were a title or notes.
    header_line: int = 1
    #: Columns a spreadsheet hides (by index): a broker hides what is not for the public.
    hidden: set[int] = field(default_factory=set)
    #: Rows a spreadsheet hides (by line): filtered out (stopped offers, another district) or hidden.
    hidden_rows: set[int] = field(default_factory=set)


def read_rows(path: Path, limits: ImportLimits | None = None) -> tuple[list[str], Rows]:
    """The header and (line number, cells) of a CSV (; , or tab separated) or XLSX file.

    The line number is the file's line where a record *starts* (a CSV cell may span
    lines); for XLSX it is the sheet's row number. More than `max_rows` rows raise
    `UnreadableFile` while reading, so a huge file is never read to its end.
    """
    table = read_table_rows(path, limits)
    return table.header, table.rows


def read_table_rows(
    path: Path, limits: ImportLimits | None = None, score: HeaderScore | None = None
) -> TableRows:
    """Like `read_rows`, with the header found among the first rows by `score` (else the first row)."""
    limits = limits or ImportLimits.from_settings()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, limits, score)
    return _csv_rows(path, limits, score)


def _find_header(rows: Rows, score: HeaderScore | None) -> tuple[int, list[str], Rows]:
    """The header among the first non-empty rows: the first that names the most known columns.

    A title ("Sociale kaart Centrum"), an empty row and a notes row above the header
    are common; a row only counts as the header when at least two of its cells name
    a known column, else the first row stays the header as before. When the row just
    above the header holds group labels over merged cells, a header cell left empty
    by a cell merged over both rows ("Naam activiteit" over rows 4 and 5) takes the
    label above it.
    """
    first: list[tuple[int, list[str]]] = []
    for line, cells in rows:
        first.append((line, cells))
        if len(first) >= HEADER_SCAN or score is None:
            break
    if not first:
        return 0, [], rows
    best = 0
    if score is not None:
        scores = [score(cells) for _line, cells in first]
        if max(scores) >= 2:
            best = scores.index(max(scores))
    line, header = first[best]
    header = list(header)
    if best > 0:
        above_line, above = first[best - 1]
        if above_line == line - 1 and sum(1 for c in above if c.strip()) >= 2:
            for index, cell in enumerate(header):
                if not cell.strip() and index < len(above) and above[index].strip():
                    header[index] = above[index]
    return line, header, chain(first[best + 1 :], rows)


def _too_many(limits: ImportLimits) -> UnreadableFile:
    return UnreadableFile(
        f"the list has more than {limits.max_rows:,} rows; split it into smaller lists "
        "(the limit is the setting WIJKGRAM_IMPORT_MAX_ROWS)"
    )


def check_xlsx(path: Path, limits: ImportLimits) -> None:
    """Refuse a zip that is broken, unpacks beyond the limit, holds XML with a DTD, or too many rows."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(f"not a readable XLSX file (broken zip: {exc}); save it again") from exc
    total = 0
    with archive:
        for info in archive.infolist():
            tail, rows = b"", 0
            try:
                with archive.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        total += len(chunk)
                        if total > limits.max_unzipped_bytes:
                            raise UnreadableFile(
                                f"the XLSX file unpacks to more than {limits.max_unzipped_bytes:,} bytes; "
                                "save the list without empty rows and columns or split it "
                                "(the limit is the setting WIJKGRAM_IMPORT_MAX_XLSX_BYTES)"
                            )
                        if info.filename.endswith((".xml", ".rels", ".vml")) and _DTD.search(tail + chunk):
                            raise UnreadableFile(
                                f"the XLSX part {info.filename} declares XML entities (a DTD), which "
                                "spreadsheet programs never write; the file is refused for safety"
                            )
                        if info.filename.startswith("xl/worksheets/"):
                            # openpyxl scans a whole sheet for its size before the first row
                            # (when the sheet declares none), so the row cap is checked here.
                            rows += len(_ROW.findall(tail + chunk)) - len(_ROW.findall(tail))
                            # The header may sit below title rows (up to HEADER_SCAN of them);
                            # the exact cap on rows under the header is applied while reading.
                            if rows > limits.max_rows + HEADER_SCAN + 1:
                                raise _too_many(limits)
                        tail = chunk[-16:]
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
                if isinstance(exc, UnreadableFile):
                    raise
                raise UnreadableFile(f"not a readable XLSX file ({exc}); save it again from Excel") from exc


def _xlsx_rows(path: Path, limits: ImportLimits, score: HeaderScore | None = None) -> TableRows:
    check_xlsx(path, limits)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = _best_sheet(book.worksheets, score)
        hidden = _hidden_columns(sheet)
        # Bounds given, so openpyxl never scans the whole sheet for its size first.
        rows = sheet.iter_rows(
            values_only=True, max_col=MAX_COLUMNS, max_row=limits.max_rows + HEADER_SCAN + 1
        )
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or hostile file
        raise UnreadableFile(f"not a readable XLSX file ({type(exc).__name__}: {exc})") from exc

    hidden_rows: set[int] = set()
    merged = _merged_down(sheet, hidden_rows)

    def cells() -> Rows:
        above: dict[int, str] = {}  # column -> the value a cell merged down from it shows
        try:
            for number, row in enumerate(rows, start=1):
                if number - 1 > limits.max_rows + HEADER_SCAN:
                    raise _too_many(limits)
                values = ["" if c is None else _cell(c) for c in row]
                _fill_merged(values, number, merged.get(number, {}), above)
                if any(v.strip() for v in values):
                    yield number, values
        except UnreadableFile:
            raise
        except Exception as exc:  # a damaged sheet part fails only while streaming
            raise UnreadableFile(f"not a readable XLSX file ({type(exc).__name__}: {exc})") from exc
        finally:
            book.close()

    line, header, rest = _find_header(cells(), score)
    if not line:
        raise UnreadableFile("the first sheet is empty: no header row")
    while header and not header[-1].strip():
        header.pop()
    return TableRows(
        header,
        _below(rest, line, len(header), limits),
        line,
        {i for i in hidden if i < len(header)},
        {r for r in hidden_rows if r > line},
    )


def _fill_merged(
    values: list[str], number: int, merges: dict[int, tuple[int, int]], above: dict[int, str]
) -> None:
    """Give the cells of row `number` that a merge covers the value of the merge's first cell."""
    for column, (first, last) in merges.items():
        if column >= len(values):
            continue
        if number == first:
            above[column] = values[column]
        elif not values[column].strip():
            values[column] = above.get(column, "")
        if number == last:
            above.pop(column, None)


def _below(rest: Rows, line: int, width: int, limits: ImportLimits) -> Rows:
    """The sheet's rows under the header, cut to the header's width; at most `max_rows` of them."""
    for number, values in rest:
        if number - line > limits.max_rows:
            raise _too_many(limits)
        cut = values[:width]
        if any(v.strip() for v in cut):
            yield number, cut


def _best_sheet(sheets: list[Any], score: HeaderScore | None) -> Any:
    """The sheet with the list: the first visible one whose first rows name the most known columns.

    Workbooks often open with an explanation sheet ("Toelichting", "Uitleg") and keep
    the list on the second; a hidden sheet (lookup lists for drop-downs) is never it.
    """
    visible = [s for s in sheets if getattr(s, "sheet_state", "visible") == "visible"] or sheets
    if score is None or len(visible) == 1:
        return visible[0]
    best, best_score = visible[0], 0
    for sheet in visible[:MAX_SHEETS]:
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=HEADER_SCAN)
        found = max((score([_cell(c) for c in row]) for row in rows), default=0)
        if found > best_score:
            best, best_score = sheet, found
    return best


def _merged_down(sheet: Any, hidden_rows: set[int] | None = None) -> dict[int, dict[int, tuple[int, int]]]:
    """Cells merged over several rows: row -> column -> (first row, last row) of the merge.

    The rows the sheet hides (`<row r="12" hidden="1">`: filtered out, or hidden by
    hand) are added to `hidden_rows` on the same pass over the sheet.

    Lists merge the organisation's name down over its three activities, or a header
    over two header rows; only the first cell holds the value, so every row of the
    merge gets it (only its first column: a merge across columns is one value, not two).
    openpyxl's read-only sheets do not read merges, so the sheet's XML is scanned.
    """
    from openpyxl.utils.cell import range_boundaries

    found: dict[int, dict[int, tuple[int, int]]] = {}
    try:
        source = sheet._get_source()
    except Exception:  # a layout we cannot read is no reason to refuse the list
        return found
    # The merges follow the cells, at the end of the sheet: keep the bytes from there on.
    tail, kept = b"", b""
    with source:
        while chunk := source.read(_CHUNK):
            if kept:
                kept += chunk
                continue
            text = tail + chunk
            if hidden_rows is not None and b"hidden" in text:
                for attrs in _ROW_TAG.findall(text):
                    values = dict(_ATTR.findall(attrs))
                    if values.get(b"hidden") in (b"1", b"true") and values.get(b"r", b"").isdigit():
                        hidden_rows.add(int(values[b"r"]))
            at = text.find(b"mergeCells")
            if at >= 0:
                kept = text[at:]
            tail = text[-256:]
    for ref in _MERGE.findall(kept):
        try:
            low_col, low_row, _high_col, high_row = range_boundaries(ref.decode())
        except (TypeError, ValueError):
            continue
        if low_col and low_row and high_row and high_row > low_row:
            for number in range(low_row, min(high_row, low_row + 10_000) + 1):
                found.setdefault(number, {})[low_col - 1] = (low_row, high_row)
    return found


def _hidden_columns(sheet: object) -> set[int]:
    """Indexes of the columns the first sheet hides (`<col hidden="1">`, written before the cells).

    openpyxl's read-only sheets do not read column widths, so the start of the sheet's
    XML is scanned for them; a sheet whose layout cannot be read hides nothing.
    """
    try:
        source = sheet._get_source()  # type: ignore[attr-defined]
    except Exception:  # a layout we cannot read is no reason to refuse the list
        return set()
    head = b""
    with source:
        while len(head) < (1 << 20) and b"sheetData" not in head and (chunk := source.read(_CHUNK)):
            head += chunk
    hidden: set[int] = set()
    for match in _COL.finditer(head.split(b"sheetData", 1)[0]):
        attrs = dict(_ATTR.findall(match.group(1)))
        if attrs.get(b"hidden") in (b"1", b"true"):
            try:
                low, high = int(attrs[b"min"]), int(attrs[b"max"])
            except (KeyError, ValueError):
                continue
            hidden.update(range(low - 1, min(high, MAX_COLUMNS)))
    return hidden


def _decode(raw: bytes) -> str:
    """The text of a CSV: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252.

    Excel's "CSV" on Dutch Windows is Windows-1252; its "Unicode text" is UTF-16 with a
    BOM (and tabs). A Windows-1252 file is almost never valid UTF-8, so trying UTF-8
    first is safe.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"not a readable UTF-16 text file ({exc}); save it as CSV") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """The separator that splits the first records into the most columns, consistently.

    The header alone is not enough: a title line above it ("Overzicht 2026") has no
    separator, or only the trailing ones Excel writes. Each candidate splits the first
    records; the one whose most common width is largest wins (';' before tab before ',').
    """
    sample = io.StringIO(text[:65_536], newline="")
    best, best_width = ",", 1
    for delimiter in (";", "\t", ","):
        sample.seek(0)
        widths: Counter[int] = Counter()
        try:
            for number, row in enumerate(csv.reader(sample, delimiter=delimiter, doublequote=True)):
                if number >= 30:
                    break
                filled = sum(1 for cell in row if cell.strip())
                if filled > 1:
                    widths[len(row)] += 1
        except csv.Error:
            continue
        width = widths.most_common(1)[0][0] if widths else 1
        if width > best_width:
            best, best_width = delimiter, width
    return best


def _csv_rows(path: Path, limits: ImportLimits, score: HeaderScore | None = None) -> TableRows:
    text = _decode(path.read_bytes())
    if "\x00" in text:
        raise UnreadableFile("this is not a text (CSV) file; save the list as CSV or XLSX")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), doublequote=True)

    def csv_cells() -> Rows:
        count = 0
        start = reader.line_num + 1
        try:
            for row in reader:
                count += 1
                if count > limits.max_rows + HEADER_SCAN:
                    raise _too_many(limits)
                if any(cell.strip() for cell in row):
                    yield start, row[:MAX_COLUMNS]
                start = reader.line_num + 1
        except csv.Error as exc:
            raise UnreadableFile(f"line {reader.line_num}: {exc}") from exc

    line, header, rest = _find_header(csv_cells(), score)
    if not line:
        raise UnreadableFile("the file is empty: no header row")

    def below() -> Rows:
        for count, (number, values) in enumerate(rest, start=1):
            if count > limits.max_rows:
                raise _too_many(limits)
            yield number, values

    return TableRows(header[:MAX_COLUMNS], below(), line)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, time):  # a time typed into a cell: "14:00", not "14:00:00"
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
