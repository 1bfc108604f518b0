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

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from directory.settings import get_settings

#: Columns read per row at most; real lists have a few dozen.
MAX_COLUMNS = 200
#: Bytes of decompressed XML read per step while counting a part's size.
_CHUNK = 1 << 16
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")


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


def read_rows(path: Path, limits: ImportLimits | None = None) -> tuple[list[str], Rows]:
    """The header and (line number, cells) of a CSV (; , or tab separated) or XLSX file.

    The line number is the file's line where a record *starts* (a CSV cell may span
    lines); for XLSX it is the sheet's row number. More than `max_rows` rows raise
    `UnreadableFile` while reading, so a huge file is never read to its end.
    """
    limits = limits or ImportLimits.from_settings()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, limits)
    return _csv_rows(path, limits)


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
                            if rows > limits.max_rows + 1:
                                raise _too_many(limits)
                        tail = chunk[-16:]
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
                if isinstance(exc, UnreadableFile):
                    raise
                raise UnreadableFile(f"not a readable XLSX file ({exc}); save it again from Excel") from exc


def _xlsx_rows(path: Path, limits: ImportLimits) -> tuple[list[str], Rows]:
    check_xlsx(path, limits)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # Bounds given, so openpyxl never scans the whole sheet for its size first.
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=limits.max_rows + 2)
        first = next(rows, None)
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or hostile file
        raise UnreadableFile(f"not a readable XLSX file ({type(exc).__name__}: {exc})") from exc
    if first is None:
        raise UnreadableFile("the first sheet is empty: no header row")
    header = [_cell(c) for c in first]
    while header and not header[-1].strip():
        header.pop()
    width = len(header)

    def cells() -> Rows:
        try:
            for number, row in enumerate(rows, start=2):
                if number - 1 > limits.max_rows:
                    raise _too_many(limits)
                values = ["" if c is None else _cell(c) for c in row[:width]]
                if any(v.strip() for v in values):
                    yield number, values
        except UnreadableFile:
            raise
        except Exception as exc:  # a damaged sheet part fails only while streaming
            raise UnreadableFile(f"not a readable XLSX file ({type(exc).__name__}: {exc})") from exc
        finally:
            book.close()

    return header, cells()


def _csv_rows(path: Path, limits: ImportLimits) -> tuple[list[str], Rows]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Dutch Windows
    if "\x00" in text:
        raise UnreadableFile("this is not a text (CSV) file; save the list as CSV or XLSX")
    first_line = text.split("\n", 1)[0]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first_line, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel  # one column, or no separator on the first line
    # The sniffer sees only the header, where no cell holds a quote, and then guesses that a doubled
    # quote ("") is not an escaped quote: a cell like "zaal ""De Ark""" would keep a stray quote.
    reader = csv.reader(io.StringIO(text, newline=""), dialect, doublequote=True)
    header = next(reader, None)
    if header is None:
        raise UnreadableFile("the file is empty: no header row")

    def csv_cells() -> Rows:
        count = 0
        start = reader.line_num + 1
        try:
            for row in reader:
                count += 1
                if count > limits.max_rows:
                    raise _too_many(limits)
                if any(cell.strip() for cell in row):
                    yield start, row[:MAX_COLUMNS]
                start = reader.line_num + 1
        except csv.Error as exc:
            raise UnreadableFile(f"line {reader.line_num}: {exc}") from exc

    return header[:MAX_COLUMNS], csv_cells()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
