"""The merge rules of `importers/merge.py`, one test each, on hand-made records (no shared data needed).

Places are Shapely points; `_away` moves one a given number of metres over the
WGS84 ellipsoid, so a test can put a second place just inside or just outside
the match radius.
"""

from __future__ import annotations

from typing import Any

import pytest
from pyproj import Geod
from shapely.geometry import Point
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from directory.models import Location, Revision, SearchOutbox, Service, SourceLink, SourceSuggestion
from directory.services.entries import Actor, EntryService
from directory.services.suggestions import dismiss_suggestion
from importers.merge import MATCH_RADIUS_M, NAME_THRESHOLD, Merger, name_similarity
from importers.records import PlaceRecord
from importers.run import run_import
from tests.factories import BOOMSPIJKER, CENTRAAL, DAM

_GEOD = Geod(ellps="WGS84")


def _away(point: Point, metres: float, bearing: float = 90.0) -> Point:
    """The point `metres` from `point` in direction `bearing` (degrees from north)."""
    lon, lat, _ = _GEOD.fwd(point.x, point.y, bearing, metres)
    return Point(lon, lat)


def _place(source: str, source_id: str, name: str, point: Point, **changes: Any) -> PlaceRecord:
    """A record of `source` for a community centre at `point`; `changes` override or add fields."""
    fields: dict[str, Any] = {
        "source": source,
        "source_id": source_id,
        "name": name,
        "lat": point.y,
        "lon": point.x,
        "category": "community_centre",
    }
    fields.update(changes)
    return PlaceRecord(**fields)


def _import(session: Session, source: str, *records: PlaceRecord, scope: str = "t") -> dict[str, Any]:
    """Run one import of `records` and return {source_id: Outcome}."""
    report = run_import(session, list(records), source=source, scope=scope)
    return {o.source_id: o for o in report.outcomes}


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _suggestions(session: Session) -> set[tuple[str, str, str, Any, Any]]:
    """Open suggestions as (kind, field, source, value, current)."""
    rows = session.scalars(select(SourceSuggestion).where(SourceSuggestion.resolved_at.is_(None)))
    return {(s.entity_type, s.field, s.source, s.value, s.current) for s in rows}


def test_prepare_loads_links_places_and_vocabularies_before_the_first_record(session: Session) -> None:
    """What the merger loads on first use is loaded by `prepare` (run while the reader reads), once."""
    _import(session, "partner", _place("partner", "p1", "Buurthuis De Pijp", DAM))
    merger = Merger(session, "osm", "t")
    statements: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        merger.prepare()
        prepared = len(statements)
        merger.apply_batch(
            [_place("osm", "n1", "Buurthuis de Pijp", DAM), _place("osm", "n2", "Het Huis", CENTRAAL)]
        )
    finally:
        event.remove(engine, "before_cursor_execute", note)
    flat = [" ".join(s.split()) for s in statements]
    loads = [
        s for s in flat if "FROM source_link WHERE" in s or s.startswith("SELECT taxonomy_term.code FROM")
    ]
    # The links, the other sources' places (not linked to this source) and three vocabularies,
    # all before the first record; none of them again for the records.
    assert len(loads) == 5
    assert all(flat.index(s) < prepared for s in loads)
    outcomes = {o.source_id: o for o in merger.report.outcomes}
    assert outcomes["n1"].matched_by == "name+distance"  # the index loaded ahead matched it
    assert outcomes["n2"].outcome == "created"


def test_refused_record_in_a_batch_is_rejected_alone(session: Session) -> None:
    """An unknown category (refused by EntryService inside the batch) rejects that record; the rest stand."""
    records = [_place("test", f"r{n}", f"Plek {n}", _away(DAM, 20 * n, 0)) for n in range(5)]
    records[2] = _place("test", "r2", "Plek 2", _away(DAM, 40, 0), category="no_such_category")
    bad_service = {"name": "Koffie", "target_groups": ["nobody"]}
    records.append(_place("test", "r9", "Plek 9", _away(DAM, 180, 0), service=bad_service))
    report = run_import(session, records, source="test", scope="t")
    outcomes = [o.outcome for o in report.outcomes]
    assert outcomes == ["created", "created", "rejected", "created", "created", "rejected"]
    assert "no_such_category" in (report.outcomes[2].reason or "")
    assert "nobody" in (report.outcomes[5].reason or "")
    names = set(session.scalars(select(Location.name)))
    assert names == {"Plek 0", "Plek 1", "Plek 3", "Plek 4"}  # record 9's place went with its bad service
    assert _count(session, Revision) == 4


# -- a broker's field is never overwritten --------------------------------------------------------


def test_a_brokers_field_is_kept_and_the_source_value_becomes_a_suggestion(session: Session) -> None:
    """A phone a broker typed and a website a broker cleared survive a changed source; its values wait."""
    koffie = {"name": "Koffieochtend", "category": "shared_meal"}
    old = {"phone": "020 626 4002", "website": "https://oud.example.nl"}
    first = _place("lijst", "a1", "Buurthuis De Ster", DAM, location=old,
                   service={**koffie, "cost_note": "gratis"})  # fmt: skip
    place_id = _import(session, "lijst", first)["a1"].entity_id
    place = session.get(Location, place_id)
    assert place is not None and place.phone == "+31 20 626 4002"
    service = session.scalars(select(Service)).one()
    brokers = EntryService(session, Actor("anna"))
    brokers.update("location", place.id, {"phone": "+31 20 555 0101", "website": None},
                   expected_version=place.version)  # fmt: skip
    brokers.update("service", service.id, {"cost_note": "1 euro"}, expected_version=service.version)
    session.commit()
    assert place.field_provenance["phone"]["source"] == "manual"

    location = {"phone": "020 626 9999", "website": "https://ster.example.nl", "street": "Dam"}
    changed = _place("lijst", "a1", "Buurthuis De Ster", DAM, location=location,
                     service={**koffie, "cost_note": "2 euro"})  # fmt: skip
    outcome = _import(session, "lijst", changed)["a1"]
    session.refresh(place)
    session.refresh(service)
    assert place.phone == "+31 20 555 0101"  # the broker's value
    assert place.website is None  # the broker emptied it: an empty manual field is not refilled
    assert place.street == "Dam"  # a field the source owns (or nobody) is written
    assert service.cost_note == "1 euro"
    assert outcome.outcome == "updated"
    assert set(outcome.suggested_fields) == {("location", "phone"), ("location", "website"),
                                             ("service", "cost_note")}  # fmt: skip
    assert _suggestions(session) == {
        ("location", "phone", "lijst", "+31 20 626 9999", "+31 20 555 0101"),
        ("location", "website", "lijst", "https://ster.example.nl", None),
        ("service", "cost_note", "lijst", "2 euro", "1 euro"),
    }


@pytest.mark.parametrize(("metres", "suggested"), [(3, False), (25, True)])
def test_a_point_a_few_metres_off_is_not_a_suggestion(
    session: Session, metres: float, suggested: bool
) -> None:
    """Two sources put one place 3 m apart (rounding, geocoding): nothing for a broker to decide; 25 m is."""
    first = _place("osm", "node/9", "Buurthuis De Ster", BOOMSPIJKER)
    place_id = _import(session, "osm", first)["node/9"].entity_id
    second = _place("lijst", "rij-9", "Buurthuis De Ster", _away(BOOMSPIJKER, metres))
    assert _import(session, "lijst", second)["rij-9"].entity_id == place_id
    fields = {field for _, field, *_ in _suggestions(session)}
    assert bool(fields & {"lat", "lon"}) is suggested


# -- the first source owns a field; stable in either order ----------------------------------------


OSM_DE_STER = (
    "osm",
    "node/1",
    "Buurthuis De Ster",
    {"phone": "020 626 4002", "opening_hours": "Mo-Fr 09:00-17:00"},
)
LIST_DE_STER = (
    "lijst",
    "rij-1",
    "buurthuis de ster",
    {"phone": "020 626 9999", "website": "https://ster.example.nl"},
)


@pytest.mark.parametrize(
    "order", [(OSM_DE_STER, LIST_DE_STER), (LIST_DE_STER, OSM_DE_STER)], ids=["osm-first", "list-first"]
)
def test_the_first_source_owns_a_field_and_the_second_suggests(session: Session, order: Any) -> None:
    """Two sources describing one place: one entry; the first source's values stay, in either order.

    Rerunning both sources, in the same or the other order, changes nothing.
    """
    (first, first_id, first_name, first_fields), (second, second_id, second_name, second_fields) = order
    # The second source's point is 25 m off: two sources never agree on the exact position.
    a = _place(first, first_id, first_name, BOOMSPIJKER, location=first_fields)
    b = _place(second, second_id, second_name, _away(BOOMSPIJKER, 25), location=second_fields)
    place_id = _import(session, first, a)[first_id].entity_id
    outcome = _import(session, second, b)[second_id]
    assert (outcome.matched_by, outcome.entity_id) == ("name+distance", place_id)
    assert _count(session, Location) == 1
    place = session.get(Location, place_id)
    assert place is not None
    session.refresh(place)
    first_phone = "+31 20 626 4002" if first == "osm" else "+31 20 626 9999"
    second_phone = "+31 20 626 9999" if first == "osm" else "+31 20 626 4002"
    assert (place.name, place.phone) == (first_name, first_phone)
    point = EntryService(session).to_dict(place)
    assert (point["lat"], point["lon"]) == (
        pytest.approx(a.lat),
        pytest.approx(a.lon),
    )  # the point is one value
    assert place.field_provenance["phone"]["source"] == first
    # A field only one source fills is that source's, whichever came first.
    assert place.website == "https://ster.example.nl"
    assert place.field_provenance["website"]["source"] == "lijst"
    assert place.opening_hours == "Mo-Fr 09:00-17:00"
    assert place.field_provenance["opening_hours"]["source"] == "osm"
    assert ("location", "phone", second, second_phone, first_phone) in _suggestions(session)
    sources = set(session.scalars(select(SourceLink.source).where(SourceLink.entity_id == place_id)))
    assert sources == {"osm", "lijst"}

    revisions, suggestions = _count(session, Revision), _suggestions(session)
    for source, record in ((first, a), (second, b), (second, b), (first, a)):
        assert {o.outcome for o in _import(session, source, record).values()} == {"unchanged"}
    assert _count(session, Revision) == revisions
    assert _suggestions(session) == suggestions
    session.refresh(place)
    assert place.phone == first_phone


# -- an entry a source stops listing --------------------------------------------------------------


def test_an_entry_the_source_stops_listing_needs_review_and_is_not_deleted(session: Session) -> None:
    """The place and its service get status needs_review; listed again, they are active again."""
    koffie = {"name": "Koffieochtend", "category": "shared_meal"}
    stays = _place("lijst", "a1", "Buurthuis De Ster", DAM)
    goes = _place("lijst", "a2", "Huiskamer Centraal", CENTRAAL, service=koffie)
    _import(session, "lijst", stays, goes)
    assert set(session.scalars(select(Location.status))) == {"active"}

    outcomes = _import(session, "lijst", stays)
    assert outcomes["a2"].outcome == "missing"
    assert outcomes["a2"].reason == "no longer in the source"
    gone = session.scalars(select(Location).where(Location.name == "Huiskamer Centraal")).one()
    service = session.scalars(select(Service)).one()
    assert (gone.status, service.status) == ("needs_review", "needs_review")
    kept = session.scalars(select(Location).where(Location.name == "Buurthuis De Ster")).one()
    assert kept.status == "active"
    assert _count(session, Location) == 2
    link = session.scalars(select(SourceLink).where(SourceLink.source_id == "a2")).first()
    assert link is not None and link.missing_since is not None
    note = session.scalars(select(Revision.note).where(Revision.entity_id == gone.id)
                           .order_by(Revision.version.desc())).first()  # fmt: skip
    assert note == "no longer listed by lijst (t)"

    # Another scope of the same source does not make the place missing: it was not that list's.
    assert "a2" not in _import(session, "lijst", _place("lijst", "b1", "Tuin", _away(DAM, 500)), scope="u")

    outcomes = _import(session, "lijst", stays, goes)
    session.refresh(gone)
    session.refresh(service)
    assert outcomes["a2"].outcome == "updated"
    assert (gone.status, service.status) == ("active", "active")


# -- same input, same state -----------------------------------------------------------------------


def test_the_same_input_twice_writes_nothing_the_second_time(session: Session) -> None:
    """A rerun with the same records: every outcome unchanged, no revision, no version, no outbox row."""
    meetings = [{"rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "18:00:00"}]
    service = {"name": "Eettafel", "category": "shared_meal", "target_groups": ["older_people", "everyone"],
               "cost_amount_eur": "3.50", "meetings": meetings}  # fmt: skip
    records = [
        _place(
            "lijst",
            "a1",
            "Buurthuis De Ster",
            DAM,
            location={"phone": "020 626 4002", "street": "Dam"},
            service=service,
        ),
        _place("lijst", "a2", "Huiskamer Centraal", CENTRAAL, location={"languages": ["nl", "en"]}),
        _place("lijst", "a3", "De Boomspijker", BOOMSPIJKER, location={"opening_hours": "Tu 14:00-16:00"}),
    ]
    first = _import(session, "lijst", *records)
    assert {o.outcome for o in first.values()} == {"created"}
    # A broker's edit and a second source make the state richer than one source's copy.
    place = session.get(Location, first["a1"].entity_id)
    assert place is not None
    EntryService(session, Actor("anna")).update(
        "location", place.id, {"phone": "+31 20 555 0101"}, expected_version=place.version
    )
    boomspijker = _place("osm", "node/7", "De Boomspijker", _away(BOOMSPIJKER, 10),
                         location={"opening_hours": "Tu 13:00-16:00"})  # fmt: skip
    _import(session, "osm", boomspijker)
    session.commit()
    # The list's first run after the edit notes its phone as a suggestion; from then on it is a rerun.
    assert _import(session, "lijst", *records)["a1"].suggested_fields == [("location", "phone")]

    # A suggestion a broker dismissed stays dismissed while the source keeps saying the same.
    hours = session.scalars(select(SourceSuggestion).where(SourceSuggestion.field == "opening_hours")).one()
    dismiss_suggestion(EntryService(session, Actor("anna")), hours.id)
    session.commit()

    def state() -> tuple[Any, ...]:
        versions = sorted(session.execute(select(Location.name, Location.version)).all())
        services = sorted(session.execute(select(Service.name, Service.version)).all())
        counts = [_count(session, m) for m in (Revision, SearchOutbox, SourceLink, Location, Service)]
        return versions, services, counts, _suggestions(session)

    before = state()
    assert "phone" in {field for _, field, *_ in before[3]}  # an open suggestion is part of the state
    again = _import(session, "lijst", *records)
    assert {k: o.outcome for k, o in again.items()} == {
        "a1": "unchanged",
        "a2": "unchanged",
        "a3": "unchanged",
    }
    assert {o.outcome for o in _import(session, "osm", boomspijker).values()} == {"unchanged"}
    assert state() == before


# -- matching: source id first, then a similar name close by -------------------------------------


def test_the_source_id_is_matched_before_name_and_distance(session: Session) -> None:
    """A record whose source id is known updates its own entry, even renamed next to a namesake."""
    own = _import(session, "lijst", _place("lijst", "a1", "Eettafel Zuid", DAM))["a1"].entity_id
    namesake = _import(session, "osm", _place("osm", "node/2", "Eettafel Centrum", CENTRAAL))[
        "node/2"
    ].entity_id
    # The list's place moved and took the name of the place it moved next to.
    outcome = _import(session, "lijst", _place("lijst", "a1", "Eettafel Centrum", _away(CENTRAAL, 5)))["a1"]
    assert (outcome.matched_by, outcome.entity_id, outcome.outcome) == ("source_id", own, "updated")
    assert outcome.entity_id != namesake
    assert _count(session, Location) == 2
    moved = session.get(Location, own)
    assert moved is not None
    session.refresh(moved)
    assert moved.name == "Eettafel Centrum"


def test_a_similar_name_within_the_radius_is_the_same_place(session: Session) -> None:
    """A spelling variant (score >= NAME_THRESHOLD) a little inside MATCH_RADIUS_M merges into the place."""
    assert name_similarity("De Boomsspijker", "De Boomspijker") >= NAME_THRESHOLD
    osm = _import(session, "osm", _place("osm", "node/1", "De Boomspijker", BOOMSPIJKER))["node/1"]
    inside = _away(BOOMSPIJKER, MATCH_RADIUS_M - 3, 200)
    outcome = _import(session, "repair", _place("repair", "rc-1", "De Boomsspijker", inside))["rc-1"]
    assert (outcome.matched_by, outcome.entity_id) == ("name+distance", osm.entity_id)
    assert _count(session, Location) == 1


def test_a_place_matches_on_its_alternate_name_and_the_best_name_wins(session: Session) -> None:
    """Candidates are compared on every name; of two similar places in reach the more similar one is taken."""
    # The less similar place comes first (west, and imported first), so the first one found is not the best.
    osm = _import(
        session,
        "osm",
        _place("osm", "node/1", "Huiskamer van de Buurtje", DAM),
        _place(
            "osm",
            "node/2",
            "Buurtcentrum Oost",
            _away(DAM, 30),
            location={"alternate_name": "Huiskamer van de Buurt"},
        ),
    )
    assert NAME_THRESHOLD <= name_similarity("Huiskamer van de Buurt", "Huiskamer van de Buurtje") < 100
    outcome = _import(session, "lijst", _place("lijst", "a1", "huiskamer van de buurt", _away(DAM, 15)))["a1"]
    assert (outcome.matched_by, outcome.entity_id) == ("name+distance", osm["node/2"].entity_id)


def test_a_place_is_matched_once_per_run_and_never_with_the_same_sources_own(session: Session) -> None:
    """Two list rows with one name next to one OSM place: the first takes it, the second is a new place."""
    osm = _import(session, "osm", _place("osm", "node/1", "Speeltuin", DAM))["node/1"]
    rows = _import(
        session,
        "lijst",
        _place("lijst", "a1", "Speeltuin", _away(DAM, 5)),
        _place("lijst", "a2", "Speeltuin", _away(DAM, 6)),
    )
    assert (rows["a1"].matched_by, rows["a1"].entity_id) == ("name+distance", osm.entity_id)
    assert (rows["a2"].matched_by, rows["a2"].outcome) == (None, "created")
    # A new row of the list in a later run does not merge into a place the list made itself.
    later = _import(session, "lijst", _place("lijst", "a3", "Speeltuin", _away(DAM, 6)), scope="u")["a3"]
    assert (later.matched_by, later.outcome) == (None, "created")
    assert _count(session, Location) == 3


def test_a_different_place_close_by_is_not_matched(session: Session) -> None:
    """The Bloemenmarkt and the café named after it, 15 m apart, score below NAME_THRESHOLD: two places."""
    score = name_similarity("Cafe Bloemenmarkt", "Bloemenmarkt")
    assert NAME_THRESHOLD - 5 < score < NAME_THRESHOLD  # a near miss, not an obvious one
    _import(session, "osm", _place("osm", "node/1", "Bloemenmarkt", DAM, category="marketplace"))
    outcome = _import(session, "lijst", _place("lijst", "a1", "Cafe Bloemenmarkt", _away(DAM, 15)))["a1"]
    assert (outcome.matched_by, outcome.outcome) == (None, "created")
    assert _count(session, Location) == 2


def test_the_same_name_just_outside_the_radius_is_not_matched(session: Session) -> None:
    """The same name a little beyond MATCH_RADIUS_M is another place (a chain's second branch)."""
    _import(session, "osm", _place("osm", "node/1", "Repair Café", DAM))
    outside = _away(DAM, MATCH_RADIUS_M + 3, 45)
    outcome = _import(session, "lijst", _place("lijst", "a1", "Repair Café", outside))["a1"]
    assert (outcome.matched_by, outcome.outcome) == (None, "created")
    assert _count(session, Location) == 2
