"""The questions from the issue, asked of the demo data (as `wijkgram demo` loads it) on both engines.

"gratis eten", "zaal huren", "ruimte voor groep", "hulp bij formulieren", "schuldhulp" and
"stamtafel oost" all answered nothing; "buren" put the Burger Fabriek first; "moskee" listed
churches first. The demo (hand-written entries, the OpenStreetMap cut, the list of offers
without a venue, the shared boundaries) is loaded once into a database of its own. The
demo holds no mosque, so the judged list of places of worship (two mosques, tests/search/
fixtures) is imported too, as a partner's list would be.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from directory.db import migrate
from directory.search.areas import Area, AreaNames
from directory.search.meili import MeiliEngine
from directory.search.postgres import PostgresEngine
from directory.search.query import SearchQuery, SearchResult
from directory.search.service import SearchService
from directory.search.sync import sync
from directory.settings import SearchSettings, get_settings
from tests.conftest import _start_test_cluster, create_database, drop_database
from tests.search.conftest import MeiliServer

ENGINES = ["postgresql", "meilisearch"]
MOSQUES = Path(__file__).with_name("fixtures") / "gebedshuizen.csv"


def load_demo_as_shipped(engine: Engine, boundaries: Path) -> None:
    """What `wijkgram demo` loads: boundaries, the demo entries, the OSM cut, the offers without a venue."""
    from directory.demo import DEMO_DIR, load_demo
    from geo.build import build_boundaries
    from geo.demo import boundaries_folder
    from importers.osm import import_osm_file
    from importers.run import run_import
    from importers.table import Mapping_, TableReader
    from importers.vocabulary import Vocabulary

    build_boundaries(engine, boundaries_folder(boundaries))
    with Session(engine) as session, session.begin():
        load_demo(session)
    with Session(engine) as session:
        import_osm_file(session, DEMO_DIR / "centrum-cut.osm.pbf", scope="demo:centrum-cut")
    lists = ((DEMO_DIR / "aanbod-zonder-adres.csv", "demo:aanbod"), (MOSQUES, "test:gebedshuizen"))
    for path, source in lists:
        with Session(engine) as session:
            reader = TableReader(path, mapping=Mapping_(source=source), vocabulary=Vocabulary.load(session))
            run_import(session, list(reader), source=source, scope=path.name)


@pytest.fixture(scope="module")
def demo_services(meili_server: MeiliServer) -> Iterator[dict[str, SearchService]]:
    """The search service as the app builds it, per engine, over the demo."""
    _start_test_cluster()
    name = f"wijkgram_demo_questions_{os.getpid()}"
    url = create_database(name)
    migrate.upgrade(url)
    engine = create_engine(url, pool_size=5)
    load_demo_as_shipped(engine, get_settings().data.shared_dir / "boundaries")
    settings = SearchSettings(
        meili_url=meili_server.url,
        meili_key=meili_server.key,
        index_name=f"demo_{uuid.uuid4().hex[:8]}",
        timeout_s=5,
    )
    sync(engine, settings)
    areas = AreaNames(engine)
    services = {
        "postgresql": SearchService(PostgresEngine(engine), areas=areas),
        "meilisearch": SearchService(MeiliEngine(settings, engine), PostgresEngine(engine), areas),
    }
    yield services
    for service in services.values():
        service.close()
    engine.dispose()
    drop_database(name)


@pytest.fixture(params=ENGINES)
def ask(request: pytest.FixtureRequest, demo_services: dict[str, SearchService]) -> Any:
    """Ask the demo a question on one engine, as the API does."""
    service = demo_services[request.param]

    def search(q: str) -> SearchResult:
        result = service.search(SearchQuery(q=q, page_size=20, facets=()), interpret=True)
        assert result.engine == request.param
        return result

    search.engine = request.param  # type: ignore[attr-defined]
    return search


@pytest.mark.parametrize(
    ("q", "wanted"),
    [
        ("gratis eten", {"Samen eten Nieuw-West", "Taalcafé"}),
        ("zaal huren", {"De Boomspijker", "Treasure House", "Rita Community Center"}),
        ("ruimte voor groep", {"De Boomspijker", "Treasure House", "Kerkzaal Bijlmerdreef"}),
        ("hulp bij formulieren", {"Computerhulp online"}),
        ("schuldhulp", {"Geldvragen aan de telefoon", "Geldzorgen-spreekuur"}),
        ("stamtafel oost", {"Stamtafel Centrum"}),
    ],
)
def test_the_issues_questions_find_what_they_ask_for(ask: Any, q: str, wanted: set[str]) -> None:
    """Each question finds at least one entry a professional wants, in the top five."""
    result = ask(q)
    top = [h["name"] for h in result.hits[:5]]
    assert result.total > 0, f"{ask.engine}: {q!r} found nothing"
    assert wanted & set(top), f"{ask.engine}: {q!r} top five {top}"


def test_a_room_for_a_group_fits_the_group(ask: Any) -> None:
    """'zaal voor 20 personen': Treasure House (14) is too small; rooms known to fit come first."""
    result = ask("zaal voor 20 personen")
    assert [(f.kind, f.value) for f in result.interpreted.filters] == [
        ("facilities", "room"),
        ("capacity", "20"),
    ]
    names = [h["name"] for h in result.hits]
    assert "Treasure House" not in names, f"{ask.engine}: {names}"
    assert {"De Boomspijker", "Rita Community Center"} <= set(names[:5]), f"{ask.engine}: {names}"
    known = [h["capacity"] for h in result.hits if h["capacity"] is not None]
    assert known and all(c >= 20 for c in known)
    assert [h["capacity"] is None for h in result.hits] == sorted(h["capacity"] is None for h in result.hits)
    assert "Treasure House" in [h["name"] for h in ask("ruimte voor 12 mensen").hits]


def test_buren_is_about_neighbours_not_burgers(ask: Any) -> None:
    """'buren' finds the neighbours' network first, not the Burger Fabriek."""
    names = [h["name"] for h in ask("buren").hits]
    assert names and names[0] != "Burger Fabriek", f"{ask.engine}: {names}"
    assert "Burenhulp Oost" in names[:3]


def test_moskee_shows_mosques_first(ask: Any) -> None:
    """Mosques before churches and temples."""
    hits = ask("moskee").hits
    assert hits, f"{ask.engine}: nothing"
    first = hits[0]["name"].lower()
    assert "moskee" in first or "mosk" in first or "masjid" in first, (
        f"{ask.engine}: {[h['name'] for h in hits]}"
    )


def test_area_names_as_people_say_them(ask: Any) -> None:
    """'de Pijp' is the Oude, Nieuwe and Zuid Pijp together; 'Centrum' and 'zuid-oost' the stadsdelen."""
    (pijp,) = ask("buurthuis in de Pijp").interpreted.filters
    assert pijp.kind == "area" and pijp.label == "Pijp"
    assert {a.name for a in pijp.areas} == {"Oude Pijp", "Nieuwe Pijp", "Zuid Pijp"}
    found = ask("kerk centrum").interpreted.filters
    assert len(found) == 1, found
    (centrum,) = found
    assert (centrum.kind, centrum.value) == ("area", "stadsdeel:A")
    result = ask("Zuid Oost")
    assert [f.value for f in result.interpreted.filters] == ["stadsdeel:T"]
    assert result.total > 0 and all(h["stadsdeel_code"] == "T" or h["service_area_name"] for h in result.hits)


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("waar kan ik koffie drinken?", "koffie drinken"),
        ("Ik zoek een plek om samen te eten", "samen eten"),
        ("waar krijg ik hulp bij formulieren", "hulp bij formulieren"),
        ("where can I find a church", "church"),
        ("buurthuis bij mij in de buurt", "buurthuis"),
        ("koffie dichtbij", "koffie"),
    ],
)
def test_a_question_finds_what_its_subject_finds(ask: Any, question: str, subject: str) -> None:
    """The words a question is asked with ('waar kan ik', 'ik zoek een plek') change nothing.

    'waar kan ik koffie drinken' once found two clubs whose description said 'waar':
    'koffie' went first as the most common word and 'waar' was kept.
    """
    asked, plain = ask(question), ask(subject)
    assert plain.total >= 3, f"{ask.engine}: {subject!r} found {plain.total}"
    assert [h["id"] for h in asked.hits] == [h["id"] for h in plain.hits], ask.engine
    assert asked.total == plain.total


def test_a_word_that_alone_finds_less_than_a_handful_goes_first(ask: Any) -> None:
    """'boomspijker koffie': no search with 'boomspijker' can find a handful, so it goes, not 'koffie'.

    What 'boomspijker' found alone comes first: it is the most particular word of the question
    ("hulp met mijn rekeningen" lost the one entry about bills when only 'hulp' was shown).
    """
    alone = ask("boomspijker")
    assert 0 < alone.total < 3
    result = ask("boomspijker koffie")
    assert result.relaxed is not None and result.relaxed.dropped == ("boomspijker",), result.relaxed
    assert result.total >= 3
    coffee = {h["id"] for h in ask("koffie").hits}
    rest = [h["id"] for h in result.hits[result.relaxed.strict_total :]]
    assert rest[: alone.total] == [h["id"] for h in alone.hits]
    assert set(rest[alone.total :]) <= coffee


def test_a_compound_with_a_kind_of_place_in_it_widens_to_that_kind(ask: Any) -> None:
    """'kerkdienst' is no word of the demo, nor are 'kerk dienst' together: its 'kerk' is a kind of place."""
    result = ask("kerkdienst")
    assert result.relaxed is not None and result.relaxed.widened == (("kerkdienst", "place_of_worship"),)
    assert result.total >= 3
    assert {h["category"] for h in result.hits} == {"place_of_worship"}


def test_a_word_that_finds_nothing_leaves_the_question_to_what_it_seeks(ask: Any) -> None:
    """'bijeenkomst voor ouderen': no entry says 'bijeenkomst'; what there is for older people is shown.

    'bijeenkomst voor mantelzorgers' found nothing and offered 'bijenkorf voor mantelzorgers'
    (a department store) instead.
    """
    older = ask("voor ouderen")
    assert older.total >= 3
    result = ask("bijeenkomst voor ouderen")
    assert result.relaxed is not None and result.relaxed.dropped == ("bijeenkomst",), result.relaxed
    assert [h["id"] for h in result.hits] == [h["id"] for h in older.hits]
    assert all("older_people" in h["target_groups"] for h in result.hits)


@pytest.mark.parametrize(("q", "not_offered"), [("bingo", "bin"), ("bijeenkomst", "bijenkorf")])
def test_no_respelling_that_is_no_slip_of_the_keys(ask: Any, q: str, not_offered: str) -> None:
    """Alike in letters is not a typo: 'bingo' is no 'bin', 'bijeenkomst' no 'bijenkorf'."""
    result = ask(q)
    assert result.total == 0
    assert not_offered not in {s.instead for s in result.suggestions}


def _buurten_by_gebied() -> dict[str, set[str]]:
    """Per gebied id, the buurt codes the imported buurten file places in it (`ligtInGgwgebiedId`)."""
    from geo.boundaries import BUURTEN_FILE
    from geo.demo import boundaries_folder

    folder = boundaries_folder(get_settings().data.shared_dir / "boundaries")
    features = json.loads((folder / BUURTEN_FILE).read_text(encoding="utf-8"))["features"]
    found: dict[str, set[str]] = {}
    for feature in features:
        props = feature["properties"]
        found.setdefault(props.get("ligtInGgwgebiedId") or "", set()).add(props["code"])
    return found


GEBIED_BUURTEN = _buurten_by_gebied()


def _buurten_of(areas: tuple[Area, ...]) -> set[str]:
    """The buurt codes a filter's areas stand for (a wijk is its buurten: 'AF05' lies in 'AF')."""
    every = set().union(*GEBIED_BUURTEN.values())
    codes = set()
    for a in areas:
        assert a.level in ("wijk", "buurt"), a
        codes |= {b for b in every if b.startswith(a.code)} if a.level == "wijk" else {a.code}
    return codes


@pytest.mark.parametrize(
    ("q", "gebied", "label"),
    [
        ("buurthuis in Bos en Lommer", "03630950000025", "Bos en Lommer"),
        ("koffie in de Baarsjes", "03630950000026", "Oud-West, De Baarsjes"),
        ("OUD-WEST", "03630950000026", "Oud-West, De Baarsjes"),
        ("eten uit oud noord", "03630950000040", "Oud-Noord"),
        ("buurthuis Slotermeer", "03630950000028", "Geuzenveld, Slotermeer"),
    ],
)
def test_a_gebied_is_the_wijken_in_it(ask: Any, q: str, gebied: str, label: str) -> None:
    """A gebied is one area filter, named as the city names it, of exactly the wijken (or buurten) in it.

    Either half of a joined name finds it, as in service areas. Oud-Noord holds part of
    a wijk (NB, cut by the border with Noord-West): that part is given as its buurten.
    """
    (area,) = ask(q).interpreted.filters
    assert (area.kind, area.label) == ("area", label), area
    assert _buurten_of(area.areas) == GEBIED_BUURTEN[gebied]
    assert area.value == ",".join(f"{a.level}:{a.code}" for a in area.areas)


@pytest.mark.parametrize(("q", "wijk"), [("in Geuzenveld", "Geuzenveld"), ("de zuidas", "Zuidas")])
def test_a_wijk_named_like_a_gebied_stays_the_wijk(ask: Any, q: str, wijk: str) -> None:
    """'Geuzenveld' is a wijk and half of the gebied 'Geuzenveld, Slotermeer': it keeps meaning the wijk."""
    (area,) = ask(q).interpreted.filters
    assert [(a.level, a.name) for a in area.areas] == [("wijk", wijk)]
    assert area.label == wijk


@pytest.mark.parametrize("engine", ENGINES)
def test_a_gebied_finds_what_lies_in_it_or_serves_it(
    demo_services: dict[str, SearchService], engine: str
) -> None:
    """'in de Indische Buurt' keeps what lies in that gebied and the offers that serve it (Oost, all of
    Amsterdam), not those that serve Zuidoost or Nieuw-West; Centrum-Oost leaves out Centrum-West."""
    service = demo_services[engine]

    def everything(q: str) -> SearchResult:
        return service.search(SearchQuery(q=q, page_size=100, facets=()), interpret=True)

    result = everything("in de Indische Buurt")
    (gebied,) = result.interpreted.filters
    buurten = _buurten_of(gebied.areas)
    served = {h["name"] for h in result.hits if h["buurt_code"] is None}
    assert {"Burenhulp Oost", "Geldvragen aan de telefoon"} <= served, served
    assert not {"Maatje aan huis Zuidoost", "Samen eten Nieuw-West"} & served, served
    assert all(h["buurt_code"] in buurten for h in result.hits if h["buurt_code"])

    centrum, placed = everything("centrum"), everything("centrum-oost")
    (oost,) = placed.interpreted.filters
    buurten = _buurten_of(oost.areas)
    inside = [h["buurt_code"] for h in placed.hits if h["buurt_code"]]
    assert inside and all(b in buurten for b in inside), inside
    outside = {h["id"] for h in centrum.hits if h["buurt_code"] and h["buurt_code"] not in buurten}
    assert outside and not outside & {h["id"] for h in placed.hits}, "the demo has places in Centrum-West"


# -- Questions nobody here had asked before (2026-12-04), in the three users' words -----------------
# Each names the entries that must be among the first five; the demo is what `wijkgram demo` loads.
ROOMS_AND_KITCHENS = {"De Boomspijker", "Rita Community Center"}
COMPANY = {"Maatje voor wandelen en koffie", "Wandelclub Oost", "Maatje aan huis Zuidoost"}
COFFEE_TOGETHER = {
    "Maatje voor wandelen en koffie",
    "Zondagsdienst en koffie",
    "Moskee Dapperbuurt (voorbeeld)",
}
LANGUAGE = {"Taalcafé", "Taalmaatje"}
UNSEEN_QUESTIONS: list[tuple[str, set[str]]] = [
    # kwartiermakers scouting places
    ("ruimte met keuken voor 30 man", {"De Boomspijker"}),
    ("zaaltje voor 10 mensen met keuken", ROOMS_AND_KITCHENS),
    ("buurthuisje in centrum", {"De Boomspijker", "Rita Community Center", "Treasure House"}),
    ("buurthuizen met een keuken", ROOMS_AND_KITCHENS),
    ("buurtuis met keuken", ROOMS_AND_KITCHENS),
    ("drempelvrije ruimte voor 12 personen", {"De Boomspijker", "Kerkzaal Bijlmerdreef"}),
    ("waar kunnen we met de groep koken", {*ROOMS_AND_KITCHENS, "de Kloof", "Buurtkamer Dapperbuurt (demo)"}),
    ("ruimte om te koken met een groep op zaterdag", ROOMS_AND_KITCHENS),
    ("zaal huren in zuidoost voor 100 personen", {"Kerkzaal Bijlmerdreef"}),
    ("kerkzaal huren", {"Kerkzaal Bijlmerdreef"}),
    ("waar komen de stamtafels samen", {"Stamtafel Centrum"}),
    ("stamtafel in de jordaan", {"Stamtafel Centrum"}),
    ("ruimte met invalidentoilet", {"De Boomspijker"}),
    ("ruimte bij het Waterlooplein", {"Mozes en Aäronkerk"}),
    ("ruimte rond het waterlooplein", {"Mozes en Aäronkerk"}),
    ("scootmobielvriendelijke ruimte voor een groep", {"Kerkzaal Bijlmerdreef"}),
    ("room with a kitchen for 20 people", ROOMS_AND_KITCHENS),
    ("buurthuis Centrum-Oost", ROOMS_AND_KITCHENS),
    ("vergaderlocatie nieuwmarkt", {"De Boomspijker"}),
    # wijkteam professionals looking for informal support near a client
    ("iets tegen eenzaamheid voor een oudere man", COMPANY),
    ("eenzame oudere", COMPANY),
    ("eenzaamhied", COMPANY),
    ("alleenstaande oudere zoekt gezelschap", COMPANY),
    ("lonely elderly man", COMPANY),
    ("iemand om mee te praten", {"Maatje aan huis Zuidoost", "Maatje voor wandelen en koffie"}),
    ("maatje voor iemand met dementie", {"Maatje voor wandelen en koffie", "Maatje aan huis Zuidoost"}),
    ("hulp bij formulieren invullen", {"Computerhulp online"}),
    ("help with forms", {"Computerhulp online"}),
    ("hulp met digid", {"Computerhulp online"}),
    ("computerhulp voor senioren", {"Computerhulp online"}),
    ("taal cafe", {"Taalcafé"}),
    ("taalkafe", {"Taalcafé"}),
    ("language help for refugees", LANGUAGE),
    ("taalhuis centrum", LANGUAGE),
    ("gratis eten vandaag", {"Samen eten Nieuw-West"}),
    ("gratis maaltijd vanavond", {"Samen eten Nieuw-West"}),
    ("where can I eat for free", {"Samen eten Nieuw-West"}),
    ("warm eten op zondag", {"Samen eten Nieuw-West", "Buurtmaaltijd op dinsdag", "Stamtafel Centrum"}),
    ("eten op dinsdagavond", {"Buurtmaaltijd op dinsdag"}),
    ("eten dinsdag om 18 uur", {"Buurtmaaltijd op dinsdag"}),
    ("tussen 12 en 14 uur lunch", {"Inloop met lunch"}),
    ("elke donderdag wandelen", {"Wandelclub Oost"}),
    ("lunch", {"Inloop met lunch"}),
    ("inloop morgenochtend", {"de Kloof", "Inloop met lunch"}),
    ("waar kan iemand met een scootmobiel koffie drinken", {"Zondagsdienst en koffie", "Wandelclub Oost"}),
    ("koffietje drinken", COFFEE_TOGETHER),
    ("coffee with other people", COFFEE_TOGETHER),
    ("hulp met geldzorgen", {"Geldzorgen-spreekuur", "Geldvragen aan de telefoon"}),
    ("schulden hulp", {"Geldvragen aan de telefoon", "Geldzorgen-spreekuur"}),
    ("ik heb hulp nodig met mijn rekeningen", {"Geldvragen aan de telefoon"}),
    ("hulp bij de post", {"Hulp bij de post, thuis"}),
    ("boodschappen doen voor mijn client", {"Maatje aan huis Zuidoost"}),
    ("bewegen voor ouderen", {"Wandelclub Oost"}),
    ("wandelen op donderdag", {"Wandelclub Oost"}),
    ("wandelclubje", {"Wandelclub Oost"}),
    ("buurtkamer in de dapperbuurt", {"Buurtkamer Dapperbuurt (demo)"}),
    ("hulp in het turks", {"Geldzorgen-spreekuur", "Taalcafé"}),
    ("ghanese kerkdienst op zondag", {"Zondagsdienst en koffie"}),
    ("kerkje in zuidoost", {"Kerkzaal Bijlmerdreef", "Zondagsdienst en koffie"}),
    ("moskee in oost", {"Moskee Dapperbuurt (voorbeeld)"}),
    ("moskée", {"Moskee Dapperbuurt (voorbeeld)", "Masjid Al-Noor Zuidoost (voorbeeld)"}),
    ("vrijdaggebed", {"Moskee Dapperbuurt (voorbeeld)"}),
    ("huiswerkbegeleiding voor kinderen", {"Moskee Dapperbuurt (voorbeeld)"}),
    ("depressie", {"Lotgenotengroep psychische kwetsbaarheid", "Inloop met lunch"}),
    ("lotgenotencontact psychiatrie", {"Lotgenotengroep psychische kwetsbaarheid"}),
    ("samen eten voor mensen met een lichte verstandelijke beperking", {"Stamtafel Centrum"}),
    ("daklozen", {"de Kloof"}),
    ("kleding ruilen", {"de Kloof"}),
    ("spullen repareren", {"Repair Café"}),
    ("fiets repareren", {"Repair Café"}),
    # volunteer brokers looking up entries
    ("vrijwilliger worden", {"Maatje aan huis Zuidoost", "Maatje voor wandelen en koffie", "Taalmaatje"}),
    ("boomspijkr", {"De Boomspijker"}),
    ("repair cafe nieuwmarkt", {"Repair Café"}),
    ("sant egidio", {"Huis van Sant'Egidio"}),
    ("tot heil des volks", {"Tot Heil des Volks"}),
    ("leger des heil", {"Leger des Heils"}),
    ("ghanese pinkstergemeente", {"Zondagsdienst en koffie", "Kerkzaal Bijlmerdreef"}),
]


@pytest.mark.parametrize(("q", "wanted"), UNSEEN_QUESTIONS, ids=[q for q, _ in UNSEEN_QUESTIONS])
def test_unseen_questions_find_what_they_ask_for(ask: Any, q: str, wanted: set[str]) -> None:
    """A question asked the first time on 2026-12-04 has a wanted entry in its top five."""
    result = ask(q)
    top = [h["name"] for h in result.hits[:5]]
    assert wanted & set(top), f"{ask.engine}: {q!r} top five {top}, relaxed {result.relaxed}"


@pytest.mark.parametrize(
    "q",
    [
        "goedkope ruimte voor een bijeenkomst in de Jordaan",
        "waar kan ik gratis vergaderen",
        "gratis zaaltje",
        "zaal met beamer",
        "cheap venue for a meeting",
        "somewhere to meet with a group of 10",
        "betaalbare vergaderruimte in de buurt van de Dam",
    ],
)
def test_a_question_for_a_room_shows_rooms(ask: Any, q: str) -> None:
    """A kwartiermaker asking for a place to meet gets places with a room, even when a word
    ('bijeenkomst', 'beamer'), the area ('Jordaan') or a place ('de Dam') finds none: those are
    left out, and said so. 'in de buurt van de Dam' listed the cafes on the Dam."""
    result = ask(q)
    assert result.total > 0, f"{ask.engine}: {q!r} found nothing"
    assert all("room" in h["facilities"] for h in result.hits[:5]), [h["name"] for h in result.hits[:5]]


@pytest.mark.parametrize("q", ["cafe voor een spelletjesmiddag", "rustig cafe voor een groep"])
def test_a_cafe_for_a_group_is_a_cafe(ask: Any, q: str) -> None:
    """'voor een groep' says who comes, not what is sought: the cafés stay the subject."""
    result = ask(q)
    assert any(h["category"] in ("cafe", "pub") for h in result.hits[:3]), [
        h["name"] for h in result.hits[:5]
    ]


@pytest.mark.parametrize(
    "q", ["yoga", "zwemles voor volwassenen", "schaakclub", "paardrijden", "vrijwilligerswerk met dieren"]
)
def test_what_the_demo_lacks_is_said_not_hidden(ask: Any, q: str) -> None:
    """Nothing of the kind in the demo: the answer is empty, or says what it left out or widened.

    Never a list that pretends to answer: 'yoga' may show sports (walking groups are a kind of
    sport), 'met dieren' volunteer work without the animals, each with its note.
    """
    result = ask(q)
    relaxed = result.relaxed
    said = relaxed is not None and bool(relaxed.dropped or relaxed.widened or relaxed.split)
    assert result.total == 0 or said, f"{ask.engine}: {q!r} {[h['name'] for h in result.hits[:5]]}"


@pytest.mark.parametrize(
    ("q", "filters", "text"),
    [
        ("waar kunnen we met de groep koken", [("facilities", "kitchen")], ""),
        ("rustig cafe voor een groep", [], "rustig cafe"),
        ("koffietje drinken", [], "koffie drinken"),
        ("kerkje in zuidoost", [("area", "stadsdeel:T")], "kerk"),
        ("waar kan ik gratis vergaderen", [("cost", "free"), ("facilities", "room")], ""),
        (
            "scootmobielvriendelijke ruimte",
            [("accessibility", "scootmobiel_parking"), ("facilities", "room")],
            "",
        ),
        ("depressie", [("target_groups", "psychiatric")], ""),
        ("iemand om mee te praten", [], "praten"),
        ("vergaderruimte in de buurt van de Dam", [("facilities", "room")], "dam"),
        ("koffie vlakbij het Waterlooplein", [], "koffie waterlooplein"),
        ("buurthuis in de buurt van oost", [("area", "stadsdeel:M")], "buurthuis"),
    ],
)
def test_how_unseen_questions_are_read(ask: Any, q: str, filters: list[tuple[str, str]], text: str) -> None:
    """Group phrases are no subject, diminutives are their word, new words for a room or a need;
    a place after 'in de buurt van' that is no area is searched, and known to be a place."""
    read = ask(q).interpreted
    assert [(f.kind, f.value) for f in read.filters] == filters
    assert read.text == text
    assert read.places == (("dam",) if "Dam" in q else ("waterlooplein",) if "Waterloo" in q else ())


@pytest.mark.parametrize("word", ["huren", "eenzaamheid", "koffietje", "eenzame"])
def test_the_engines_find_the_same_for_a_word_in_another_form(
    demo_services: dict[str, SearchService], word: str
) -> None:
    """PostgreSQL stems and Meilisearch does not; a typo on the first letter counts two on both.

    'huren' found the 'buren' on PostgreSQL only; 'eenzaamheid' found nothing on Meilisearch.
    """
    totals = {
        engine: service.search(SearchQuery(q=word, page_size=20, facets=()), interpret=True).total
        for engine, service in demo_services.items()
    }
    assert totals["postgresql"] == totals["meilisearch"], totals
