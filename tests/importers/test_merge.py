"""The merge step on hand-made records: a record the directory refuses is rejected alone."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.models import Location, Revision
from importers.records import PlaceRecord
from importers.run import run_import


def _record(number: int, **changes: object) -> PlaceRecord:
    fields: dict[str, object] = {
        "source": "test",
        "source_id": f"r{number}",
        "name": f"Plek {number}",
        "lat": 52.37 + number / 10_000,
        "lon": 4.90,
        "category": "community_centre",
    }
    fields.update(changes)
    return PlaceRecord(**fields)  # type: ignore[arg-type]


def test_refused_record_in_a_batch_is_rejected_alone(session: Session) -> None:
    """An unknown category (refused by EntryService inside the batch) rejects that record; the rest stand."""
    records = [_record(n) for n in range(5)]
    records[2] = _record(2, category="no_such_category")
    records.append(_record(9, service={"name": "Koffie", "target_groups": ["nobody"]}))
    report = run_import(session, records, source="test", scope="t")
    outcomes = [o.outcome for o in report.outcomes]
    assert outcomes == ["created", "created", "rejected", "created", "created", "rejected"]
    assert "no_such_category" in (report.outcomes[2].reason or "")
    assert "nobody" in (report.outcomes[5].reason or "")
    names = set(session.scalars(select(Location.name)))
    assert names == {"Plek 0", "Plek 1", "Plek 3", "Plek 4"}  # record 9's place went with its bad service
    assert session.scalar(select(func.count()).select_from(Revision)) == 4
