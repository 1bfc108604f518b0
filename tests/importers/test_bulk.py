"""The bulk path of imports: new places written together, with the same rows as one by one.

`EntryService.create_many` (used by the merge step for records that only make a
new place) must leave exactly what `EntryService.create` leaves: the entry, its
field provenance, its first revision, its outbox row and its search document.
A rerun must change nothing, and a broker's edit must survive a changed source.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from shapely.geometry import Point
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from directory.errors import InvalidInputError
from directory.models import Location, Revision, SearchOutbox, SourceLink, SourceSuggestion
from directory.search.models import SearchDocument, SearchDocumentBody
from directory.services.entries import Actor, EntryService
from directory.services.serialize import stored_dict, stored_keys
from importers.records import PlaceRecord
from importers.run import GC_THRESHOLD, run_import
from tests.factories import DAM

#: Every kind of value a location holds: text, numbers, booleans, lists, a moment, a point.
RICH = {
    "name": "Buurthuis De Ster",
    "alternate_name": "De Ster",
    "category": "community_centre",
    "lat": 52.3731,
    "lon": 4.8926,
    "street": "Dam",
    "house_number": "1",
    "postcode": "1012 JS",
    "city": "Amsterdam",
    "phone": "+31 20 626 4002",
    "website": "https://ster.example.nl",
    "opening_hours": "Mo-Fr 09:00-17:00; PH off",
    "languages": ["nl", "en"],
    "step_free": True,
    "accessible_toilet": False,
    "capacity": 40,
    "cost_amount_eur": "3.5",
    "cost_note": "per maaltijd",
    "last_verified_at": "2026-11-30T10:00:00Z",
    "source": "test",
    "fetched_at": "2026-12-01T08:00:00+00:00",
}
#: Columns that differ between two entries made from the same fields (identity, time of writing).
OWN = {"id", "source_id", "created_at", "updated_at", "field_provenance"}


def _without(data: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}


def _document(session: Session, location_id: uuid.UUID) -> dict[str, Any]:
    doc = session.scalars(
        select(SearchDocumentBody.doc).where(SearchDocumentBody.id == f"l_{location_id}")
    ).one()
    return _without(doc, {"id", "entry_id", "location_id"})


def test_create_many_writes_what_create_writes(session: Session) -> None:
    """Entry, provenance, revision, outbox row and search document equal those of `create`, field by field."""
    service = EntryService(session, Actor("import:test", source="test"))
    one = service.create("location", {**RICH, "source_id": "one"}, note="imported from test")
    many = service.create_many(
        "location", [{**RICH, "source_id": "two"}, {**RICH, "source_id": "three", "name": "Tweede"}],
        note="imported from test",
    )  # fmt: skip
    session.commit()
    assert len(many) == 2 and many[1].name == "Tweede"
    bulk = session.get(Location, many[0].id)
    assert bulk is not None
    # What `create_many` hands back is what is stored: the dict of the loaded entry, to the letter.
    assert stored_dict(many[0], stored_keys(Location)) == service.to_dict(bulk)
    assert _without(service.to_dict(bulk), OWN) == _without(service.to_dict(one), OWN)
    assert str(bulk.cost_amount_eur) == "3.50"
    provenance = {k: (v["source"], v["by"]) for k, v in bulk.field_provenance.items()}
    assert provenance == {k: (v["source"], v["by"]) for k, v in one.field_provenance.items()}
    assert provenance["phone"] == ("test", "import:test") and "lat" in provenance

    def revision(entry_id: uuid.UUID) -> tuple[Any, ...]:
        rev = session.scalars(select(Revision).where(Revision.entity_id == entry_id)).one()
        return (rev.entity_type, rev.version, rev.kind, rev.changed_by, rev.note,
                _without(rev.changes, OWN), _without(rev.snapshot, OWN))  # fmt: skip

    assert revision(bulk.id) == revision(one.id)
    assert revision(bulk.id)[5]["name"] == [None, "Buurthuis De Ster"]
    outbox = session.execute(select(SearchOutbox.entity_id, SearchOutbox.entity_type, SearchOutbox.operation))
    assert sorted((str(i), t, o) for i, t, o in outbox) == sorted(
        (str(e.id), "location", "upsert") for e in (one, *many)
    )
    assert _document(session, bulk.id) == _document(session, one.id)
    assert _document(session, bulk.id)["open_hours"]  # the schedule made it into the document
    assert _document(session, bulk.id)["capacity"] == 40  # a group size finds it (filters on it)
    capacities = session.scalars(
        select(SearchDocument.capacity).where(SearchDocument.location_id.in_([one.id, bulk.id]))
    )
    assert list(capacities) == [40, 40]
    ords = session.scalars(
        select(SearchDocument.ord).where(SearchDocument.location_id.in_([m.id for m in many]))
    )
    assert len(list(ords)) == 2


def test_create_many_refuses_a_rule_before_writing(session: Session) -> None:
    """An unknown category anywhere in the chunk raises, and nothing of the chunk is written."""
    service = EntryService(session, Actor("import:test", source="test"))
    items = [{**RICH, "source_id": "ok"}, {**RICH, "source_id": "bad", "category": "no_such_category"}]
    with pytest.raises(InvalidInputError, match="no_such_category"):
        service.create_many("location", items)
    assert session.scalar(select(func.count()).select_from(Location)) == 0


def test_create_many_a_failing_document_fails_the_chunk(session: Session) -> None:
    """The documents are sent pipelined (PostgreSQL stores them while the revisions are built):
    an error there still raises from `create_many`, and the transaction keeps nothing."""
    session.execute(
        text("ALTER TABLE search_document ADD CONSTRAINT no_broken CHECK (name <> 'Gebroken document')")
    )
    session.commit()
    service = EntryService(session, Actor("import:test", source="test"))
    items = [{**RICH, "source_id": "ok"}, {**RICH, "source_id": "bad", "name": "Gebroken document"}]
    try:
        # Raised by the pipeline's end, or (wrapped by SQLAlchemy) by the next statement sent
        # after PostgreSQL answered: which one comes first depends on timing.
        with pytest.raises((psycopg.errors.CheckViolation, DBAPIError), match="no_broken"):
            service.create_many("location", items)
        session.rollback()
        assert _counts(session) == dict.fromkeys(_counts(session), 0)
    finally:
        session.rollback()
        session.execute(text("ALTER TABLE search_document DROP CONSTRAINT no_broken"))
        session.commit()


def _record(n: int, **location: Any) -> PlaceRecord:
    """An OSM-like record: a place near the Dam, nothing but its location fields."""
    point = Point(DAM.x + 0.001 * (n % 10), DAM.y + 0.001 * (n // 10))
    return PlaceRecord(
        source="osm",
        source_id=f"n{n}",
        name=f"Plek {n}",
        lat=point.y,
        lon=point.x,
        category="community_centre",
        location={"phone": "020 626 4002", **location},
        raw={"tags": {"name": f"Plek {n}"}},
    )


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session sends while the block runs."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(args[2])

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _counts(session: Session) -> dict[str, int]:
    models = {"revision": Revision, "outbox": SearchOutbox, "link": SourceLink, "location": Location,
              "document": SearchDocument, "suggestion": SourceSuggestion}  # fmt: skip
    return {name: session.scalar(select(func.count()).select_from(m)) or 0 for name, m in models.items()}


def test_first_import_in_bulk_rerun_and_a_brokers_edit(session: Session) -> None:
    """300 new places in a few statements, each with its rows; a rerun writes nothing.

    The broker's edit survives a source that changed the same field.
    """
    records = [_record(n) for n in range(300)]
    with _statements(session) as seen:
        report = run_import(session, records, source="osm", scope="file.osm.pbf")
    assert {o.outcome for o in report.outcomes} == {"created"}
    # Not a dozen statements per place: a handful per batch of 200.
    assert len(seen) < 60, len(seen)
    # The labels the documents carry are read once per import, not once per batch.
    assert sum("taxonomy_term.label_nl" in sql for sql in seen) == 1, [s for s in seen if "label_nl" in s]
    assert _counts(session) == {"revision": 300, "outbox": 300, "link": 300, "location": 300,
                                "document": 300, "suggestion": 0}  # fmt: skip
    per_place = session.execute(
        select(Location.id, Location.version, Location.field_provenance, func.count(Revision.id))
        .join(Revision, Revision.entity_id == Location.id)
        .group_by(Location.id)
    ).all()
    assert len(per_place) == 300
    for _, version, provenance, revisions in per_place:
        assert (version, revisions) == (1, 1)
        assert provenance["name"]["source"] == "osm" and provenance["phone"]["by"] == "import:osm"
    links = session.execute(select(SourceLink.source_id, SourceLink.entity_id, SourceLink.scope)).all()
    assert {s for s, _, _ in links} == {f"n{n}" for n in range(300)}
    assert {scope for _, _, scope in links} == {"file.osm.pbf"}
    outcome = {o.source_id: o for o in report.outcomes}["n7"]
    assert session.get(Location, outcome.entity_id).name == "Plek 7"  # type: ignore[union-attr]

    before = _counts(session)
    again = run_import(session, records, source="osm", scope="file.osm.pbf")
    assert {o.outcome for o in again.outcomes} == {"unchanged"}
    assert _counts(session) == before

    # A broker types a phone number; the source then changes that phone, renames another place
    # and adds a third.
    place_id = outcome.entity_id
    assert place_id is not None
    place = session.get(Location, place_id)
    assert place is not None
    EntryService(session, Actor("anna")).update(
        "location", place_id, {"phone": "+31 20 555 0101"}, expected_version=place.version
    )
    session.commit()
    changed = list(records)
    changed[7] = _record(7, phone="020 626 9999")
    changed[8] = PlaceRecord(**{**records[8].__dict__, "name": "Plek acht"})
    changed.append(_record(300))
    third = {
        o.source_id: o for o in run_import(session, changed, source="osm", scope="file.osm.pbf").outcomes
    }
    assert (third["n7"].outcome, third["n7"].suggested_fields) == ("unchanged", [("location", "phone")])
    assert (third["n8"].outcome, third["n300"].outcome) == ("updated", "created")
    assert {o.outcome for k, o in third.items() if k not in ("n7", "n8", "n300")} == {"unchanged"}
    session.refresh(place)
    assert place.phone == "+31 20 555 0101"
    after = _counts(session)
    # The broker's edit, the renamed place and the new one: one revision each; no other place moved.
    assert after["revision"] == before["revision"] + 3
    assert after["location"] == 301 and after["suggestion"] == 1


def test_a_repeated_source_id_in_one_batch_makes_one_place(session: Session) -> None:
    """The second record with the same id updates the place the first one created (no duplicate link)."""
    first = _record(1)
    second = PlaceRecord(**{**first.__dict__, "name": "Plek een"})
    report = run_import(session, [_record(0), first, second, _record(2)], source="osm", scope="f")
    assert [o.outcome for o in report.outcomes] == ["created", "created", "updated", "created"]
    assert session.scalar(select(func.count()).select_from(Location)) == 3
    assert set(session.scalars(select(Location.name))) == {"Plek 0", "Plek een", "Plek 2"}


def test_an_import_collects_garbage_less_often_and_restores_the_collector(session: Session) -> None:
    """The youngest generation's threshold is raised while records are applied, and put back after."""
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []

    def records() -> Iterator[PlaceRecord]:
        during.append(gc.get_threshold())
        yield _record(1)

    report = run_import(session, records(), source="osm", scope="file.osm.pbf")
    assert [o.outcome for o in report.outcomes] == ["created"]
    assert during[0][0] >= GC_THRESHOLD and during[0][1:] == before[1:]
    assert gc.get_threshold() == before
