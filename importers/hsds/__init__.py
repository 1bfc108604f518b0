"""Open Referral HSDS 3.0 exchange: export the directory in the official forms, import them back.

`export_hsds` writes the official tabular package (datapackage.json and one CSV per resource,
as in the specification's own datapackage.json), and with `api=True` also the API form
(`service_list.json`, service objects with everything nested). `read_hsds` reads either form,
and wijkgram's older layout, into records for `importers.run.run_import`.
See docs/importers.md for the field mapping and the `x_wijkgram` extension.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from importers.hsds.export import build_tables, counts
from importers.hsds.read import Reader
from importers.hsds.tables import read_folder, write_api, write_csv_package
from importers.records import EntryRecord, PlaceRecord, Rejected

TITLE = "wijkgram directory (Open Referral HSDS 3.0)"


def export_hsds(session: Session, folder: Path, *, api: bool = False) -> dict[str, int]:
    """Write the directory as an HSDS 3.0 tabular package (and the API form); rows per resource."""
    tables = build_tables(session)
    write_csv_package(tables, folder, title=TITLE)
    if api:
        write_api(tables, folder)
    return counts(tables)


def read_hsds(
    folder: Path, target_groups: set[str] | None = None
) -> Iterator[PlaceRecord | EntryRecord | Rejected]:
    """Records of an HSDS package in any of its forms (ValueError when the folder holds none).

    `target_groups`: wijkgram's target-group codes; a term of another taxonomy that names one
    of them becomes that target group (the CLI passes the directory's codes).
    """
    _form, tables = read_folder(folder)
    return Reader(tables, target_groups or set()).records()


__all__ = ["export_hsds", "read_hsds"]
