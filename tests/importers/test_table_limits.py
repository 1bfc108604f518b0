"""Hostile or huge lists are refused with a clear reason, before they cost time or memory."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from importers.table import TableReader
from importers.table_files import ImportLimits, UnreadableFile, read_rows, read_table_rows
from importers.table_headers import header_score

_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


def _xlsx(tmp_path: Path, name: str = "lijst.xlsx") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["naam", "werkgebied", "telefoon"])
    sheet.append(["Maatje Oost", "Oost", "020 123 4567"])
    path = tmp_path / name
    book.save(path)
    return path


def _replace_sheet(path: Path, xml: str) -> Path:
    """The same workbook with its first sheet replaced by `xml`."""
    out = path.with_name("hostile.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = xml.encode()
            dst.writestr(item, data)
    return out


def _rows(path: Path, limits: ImportLimits | None = None) -> list[tuple[int, list[str]]]:
    _header, rows = read_rows(path, limits or ImportLimits())
    return list(rows)


def test_a_normal_xlsx_is_read(tmp_path: Path) -> None:
    """The guards do not stand in the way of an ordinary workbook."""
    assert _rows(_xlsx(tmp_path)) == [(2, ["Maatje Oost", "Oost", "020 123 4567"])]


def test_xxe_is_refused(tmp_path: Path) -> None:
    """An external entity pointing at a local file never gets parsed."""
    xml = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + _SHEET_HEAD[_SHEET_HEAD.index("<worksheet") :]
        + '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(UnreadableFile, match="declares XML entities"):
        _rows(_replace_sheet(_xlsx(tmp_path), xml))


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    """Exponential entity expansion is refused before any expansion happens."""
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    xml = f'<?xml version="1.0"?><!DOCTYPE x [{entities}]><worksheet><sheetData/></worksheet>'
    start = time.perf_counter()
    with pytest.raises(UnreadableFile, match="declares XML entities"):
        _rows(_replace_sheet(_xlsx(tmp_path), xml))
    assert time.perf_counter() - start < 2


def test_a_zip_bomb_stops_at_the_unpacked_limit(tmp_path: Path) -> None:
    """A sheet that unpacks far beyond the limit is refused while unpacking, not after."""
    row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    xml = _SHEET_HEAD + row * 200_000 + "</sheetData></worksheet>"
    path = _replace_sheet(_xlsx(tmp_path), xml)
    assert path.stat().st_size < 200_000  # small on disk
    with pytest.raises(UnreadableFile, match="unpacks to more than 1,000,000 bytes"):
        _rows(path, ImportLimits(max_unzipped_bytes=1_000_000, max_rows=1_000_000))


def test_a_broken_zip_is_refused(tmp_path: Path) -> None:
    """Bytes that merely end in .xlsx are 'not a readable XLSX file'."""
    path = tmp_path / "kapot.xlsx"
    data = _xlsx(tmp_path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile, match="not a readable XLSX file"):
        _rows(path)
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableFile, match="not a readable XLSX file"):
        _rows(path)


def test_rows_are_capped_while_streaming(tmp_path: Path) -> None:
    """More rows than the limit: refused when the limit is passed, for CSV and XLSX."""
    csv_path = tmp_path / "veel.csv"
    csv_path.write_text("naam;werkgebied\n" + "Maatje;Oost\n" * 30, "utf-8")
    assert len(_rows(csv_path, ImportLimits(max_rows=30))) == 30
    with pytest.raises(UnreadableFile, match="more than 20 rows"):
        _rows(csv_path, ImportLimits(max_rows=20))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for i in range(40):
        sheet.append([f"Maatje {i}", "Oost"])
    xlsx_path = tmp_path / "veel.xlsx"
    book.save(xlsx_path)
    with pytest.raises(UnreadableFile, match="more than 20 rows"):
        _rows(xlsx_path, ImportLimits(max_rows=20))


def test_title_rows_do_not_count_against_the_row_cap(tmp_path: Path) -> None:
    """A sheet with a title above its header and exactly `max_rows` rows under it is read, as the CSV is."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Sociale kaart Oost, stand oktober"])
    sheet.append([])
    sheet.append(["naam", "werkgebied"])
    for i in range(5):
        sheet.append([f"Maatje {i}", "Oost"])
    path = tmp_path / "met-titel.xlsx"
    book.save(path)

    def names(limits: ImportLimits) -> list[str]:
        table = read_table_rows(path, limits, header_score)
        assert table.header == ["naam", "werkgebied"]
        return [cells[0] for _line, cells in table.rows]

    assert names(ImportLimits(max_rows=5)) == [f"Maatje {i}" for i in range(5)]  # before: refused
    sheet.append(["Maatje 5", "Oost"])
    book.save(path)
    with pytest.raises(UnreadableFile, match="more than 5 rows"):
        names(ImportLimits(max_rows=5))


def test_import_stops_after_too_many_rejected_rows(tmp_path: Path) -> None:
    """A file of nothing but unusable rows stops at the limit with a message that names it.

    The list is read whole before its first record is given out (rows of one offer are
    joined first), so the stop comes before anything reaches the import.
    """
    path = tmp_path / "fout.csv"
    path.write_text("naam;opmerking\n" + "Iets;niets om mee te doen\n" * 50, "utf-8")
    reader = TableReader(path, limits=ImportLimits(max_rejected=10))
    seen = 0
    with pytest.raises(UnreadableFile, match=r"stopped after 10 rejected rows \(line 11\)"):
        for _ in reader:
            seen += 1
    assert seen == 0


def test_a_binary_file_named_csv_is_refused(tmp_path: Path) -> None:
    """NUL bytes are not a text list."""
    path = tmp_path / "lijst.csv"
    path.write_bytes(b"naam\x00\x01\x02" + io.BytesIO(b"\x00" * 100).read())
    with pytest.raises(UnreadableFile, match="not a text"):
        _rows(path)


def test_a_sheet_of_300k_rows_is_refused_before_openpyxl_reads_it(tmp_path: Path) -> None:
    """openpyxl scans a sheet without a declared size in full (38 s here); the row cap stops it first."""
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>Maatje</t></is></c></row>' for i in range(300_000)
    )
    path = _replace_sheet(_xlsx(tmp_path), _SHEET_HEAD + rows + "</sheetData></worksheet>")
    start = time.perf_counter()
    with pytest.raises(UnreadableFile, match="more than 10,000 rows"):
        _rows(path)
    assert time.perf_counter() - start < 3
