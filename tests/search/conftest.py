"""Fixtures for search tests: a real Meilisearch process and a small realistic directory."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from shapely.geometry import Point
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from directory.clock import today_amsterdam
from directory.search.meili import MeiliEngine
from directory.search.postgres import PostgresEngine
from directory.search.sync import sync
from directory.services.entries import Actor, EntryService
from directory.settings import REPO_ROOT, SearchSettings
from geo.service_areas import read_area
from tests import factories

MEILI_BIN = REPO_ROOT / "var" / "bin" / "meilisearch"


#: The walking group's meeting is cancelled on the Tuesday of next week (within the exact window).
WALK_CANCELLED = today_amsterdam() + timedelta(days=(1 - today_amsterdam().weekday()) % 7 or 7)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MeiliServer:
    """A Meilisearch process on a free loopback port with its own data folder; restartable."""

    data_dir: Path
    port: int = field(default_factory=_free_port)
    key: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the binary and wait until /health answers."""
        log = (self.data_dir / "meili.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(MEILI_BIN),
                "--db-path",
                str(self.data_dir / "data.ms"),
                "--dump-dir",
                str(self.data_dir / "dumps"),
                "--http-addr",
                f"127.0.0.1:{self.port}",
                "--master-key",
                self.key,
                "--no-analytics",
                "--env",
                "development",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"meilisearch exited; see {self.data_dir / 'meili.log'}")
            try:
                if httpx.get(f"{self.url}/health", timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("meilisearch did not become healthy within 30 s")

    def stop(self) -> None:
        """Stop the process (its data stays for a restart)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def meili_server() -> Iterator[MeiliServer]:
    """The real Meilisearch binary, started once for the test run."""
    if not MEILI_BIN.is_file():
        pytest.fail(
            f"Meilisearch binary missing at {MEILI_BIN}: run scripts/install-meilisearch.sh "
            "(or scripts/setup.sh --test) first",
            pytrace=False,
        )
    data_dir = Path(tempfile.mkdtemp(prefix="wijkgram-meili-"))
    server = MeiliServer(data_dir)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def index_settings(meili_server: MeiliServer, prefix: str) -> SearchSettings:
    """Settings pointing at the test Meilisearch, with a new index named `prefix_<random>`."""
    return SearchSettings(
        meili_url=meili_server.url,
        meili_key=meili_server.key,
        index_name=f"{prefix}_{uuid.uuid4().hex[:10]}",
        timeout_s=5,
    )


@pytest.fixture
def meili_settings(meili_server: MeiliServer) -> SearchSettings:
    """Settings pointing at the test Meilisearch, with an index of this test's own."""
    return index_settings(meili_server, "test")


def writer(engine: Engine) -> tuple[Session, EntryService]:
    """A session and an EntryService acting as a test user."""
    session = Session(engine, expire_on_commit=False)
    return session, EntryService(session, Actor(name="test"))


class DataSet:
    """A search test's directory, created through EntryService, with each entry's id by a short name."""

    def __init__(self, entries: EntryService) -> None:
        """Create through this service (its session is committed by the caller)."""
        self.entries = entries
        self.ids: dict[str, str] = {}

    def org(self, key: str, **fields: Any) -> str:
        """An organisation (the defaults of tests/factories.py, then `fields`); its id."""
        return self._create(key, "organization", factories.organization(**fields))

    def loc(self, key: str, lat: float, lon: float, **fields: Any) -> str:
        """A location at the point; its id."""
        return self._create(key, "location", factories.location(Point(lon, lat), **fields))

    def svc(self, key: str, **fields: Any) -> str:
        """A service; its id."""
        return self._create(key, "service", factories.service(**fields))

    def _create(self, key: str, kind: str, body: dict[str, Any]) -> str:
        self.ids[key] = str(self.entries.create(kind, body).id)
        return self.ids[key]


def indexed(
    engine: Engine, meili_server: MeiliServer, build: Callable[[Engine], dict[str, str]], prefix: str
) -> tuple[dict[str, str], SearchSettings]:
    """Empty the entry tables, `build` a directory, and sync it to a fresh Meilisearch index."""
    from tests.conftest import empty_tables

    with engine.begin() as conn:
        empty_tables(conn)
    ids = build(engine)
    settings = index_settings(meili_server, prefix)
    sync(engine, settings)
    return ids, settings


@contextmanager
def both_engines(
    engine: Engine, settings: SearchSettings
) -> Iterator[dict[str, PostgresEngine | MeiliEngine]]:
    """Both real engines over the database and the index of `settings`, closed afterwards."""
    both: dict[str, PostgresEngine | MeiliEngine] = {
        "postgresql": PostgresEngine(engine),
        "meilisearch": MeiliEngine(settings, engine),
    }
    try:
        yield both
    finally:
        for each in both.values():
            each.close()


# -- the contract data set -------------------------------------------------------------------

#: Real places (OpenStreetMap positions) with invented but typical activities.
BOOMSPIJKER = factories.BOOMSPIJKER
DAPPERBUURT = (52.3627, 4.9268)  # Dapperstraat, Oost
ZUIDOOST = (52.3163, 4.9557)  # Bijlmerplein, Zuidoost
JAREN = (52.3676, 4.8936)  # Nieuwe Doelenstraat, Centrum
MOZES = (52.3685, 4.9025)  # Waterlooplein, Centrum
OBA = (52.3758, 4.9082)  # Oosterdokskade, Centrum
WEST = (52.3744, 4.8645)  # Bos en Lommerweg area, West
CENTRUM_AREA = {
    "type": "MultiPolygon",
    "coordinates": [[[[4.880, 52.365], [4.915, 52.365], [4.915, 52.382], [4.880, 52.382], [4.880, 52.365]]]],
}


def build_dataset(engine: Engine) -> dict[str, str]:
    """Create the contract directory through EntryService; returns entry ids by short name."""
    session, entries = writer(engine)
    data = DataSet(entries)
    loc, svc, ids = data.loc, data.svc, data.ids

    with session:
        church_id = data.org("church", name="Church of Pentecost Amsterdam", category="religious_community")
        loc(
            "boomspijker",
            BOOMSPIJKER.y,
            BOOMSPIJKER.x,
            name="De Boomspijker",
            category="community_centre",
            stadsdeel_code="A",
            wijk_code="AE",
            buurt_code="AE01",
            step_free=True,
            accessible_toilet=True,
            opening_hours="Mo-Fr 09:00-17:00",
            cost_free=True,
            languages=["nl"],
            kitchen_available=True,
            room_available=True,
            capacity=40,
        )
        loc(
            "dapper",
            *DAPPERBUURT,
            name="Buurtcentrum Dapper",
            category="community_centre",
            stadsdeel_code="M",
            wijk_code="MA",
            buurt_code="MA03",
            step_free=True,
            scootmobiel_parking=True,
            opening_hours="Mo-Sa 10:00-22:00",
            room_available=True,
            capacity=12,
        )
        loc(
            "jaren",
            *JAREN,
            name="Café de Jaren",
            category="cafe",
            stadsdeel_code="A",
            wijk_code="AD",
            buurt_code="AD02",
            opening_hours="Mo-Su 09:30-23:00",
            cost_amount_eur="0.00",
        )
        loc(
            "mozes",
            *MOZES,
            name="Mozes en Aäronkerk",
            category="place_of_worship",
            stadsdeel_code="A",
            wijk_code="AE",
            buurt_code="AE02",
        )
        loc(
            "bijlmer",
            *ZUIDOOST,
            name="Kerkgebouw De Nieuwe Stad",
            category="place_of_worship",
            stadsdeel_code="T",
            wijk_code="TH",
            buurt_code="TH01",
            organization_id=church_id,
            step_free=True,
        )
        loc(
            "oba",
            *OBA,
            name="OBA Oosterdok",
            category="library",
            stadsdeel_code="A",
            wijk_code="AC",
            buurt_code="AC01",
            step_free=True,
            accessible_toilet=True,
            opening_hours="Mo-Su 08:00-22:00",
        )
        loc(
            "moskee",
            *WEST,
            name="Moskee Soera",
            category="place_of_worship",
            stadsdeel_code="E",
            wijk_code="EC",
            buurt_code="EC01",
            languages=["ar", "nl"],
        )
        svc(
            "taalmaatje",
            name="Taalmaatje bij de OBA",
            category="language_buddy",
            support_functions=["language", "company"],
            target_groups=["newcomers"],
            cost_free=True,
            cost_amount_eur=None,
            cost_note=None,
            languages=["nl", "ar"],
            location_ids=[ids["oba"]],
            meetings=[{"rrule": "FREQ=WEEKLY;BYDAY=TH", "start_time": "14:00:00", "end_time": "16:00:00"}],
        )
        svc(
            "stamtafel_oost",
            name="Stamtafel Oost",
            category="stamtafel",
            support_functions=["company", "peers"],
            target_groups=["mild_intellectual_disability"],
            location_ids=[ids["dapper"]],
        )
        svc(
            "stamtafel_centrum",
            name="Stamtafel Centrum",
            category="stamtafel",
            support_functions=["company"],
            target_groups=["mild_intellectual_disability"],
            location_ids=[ids["boomspijker"]],
            meetings=[{"rrule": "FREQ=MONTHLY;BYDAY=3TH", "start_time": "18:00:00"}],
        )
        svc(
            "maaltijd",
            name="Inloopmaaltijd Boomspijker",
            category="soup_kitchen",
            support_functions=["practical", "company"],
            target_groups=["low_income", "everyone"],
            cost_free=True,
            cost_amount_eur=None,
            cost_note=None,
            location_ids=[ids["boomspijker"]],
            meetings=[{"rrule": "FREQ=WEEKLY;BYDAY=WE", "start_time": "17:30:00", "end_time": "19:30:00"}],
        )
        svc(
            "ghana",
            name="Zondagsdienst",
            description="Kerkdienst in het Engels en Twi, met koffie na afloop.",
            category="religious_community",
            organization_id=church_id,
            communities=["Ghanese"],
            support_functions=["company", "peers"],
            target_groups=["everyone"],
            cost_free=True,
            cost_amount_eur=None,
            cost_note=None,
            languages=["en"],
            location_ids=[ids["bijlmer"]],
            meetings=[{"rrule": "FREQ=WEEKLY;BYDAY=SU", "start_time": "11:00:00", "end_time": "14:00:00"}],
        )
        svc(
            "wandel",
            name="Wandelgroep Binnenstad",
            category="walking_group",
            support_functions=["activity", "company"],
            target_groups=["older_people"],
            cost_free=True,
            cost_amount_eur=None,
            cost_note=None,
            service_area=CENTRUM_AREA,
            meetings=[
                {
                    "rrule": "FREQ=WEEKLY;BYDAY=TU",
                    "start_time": "10:00:00",
                    "end_time": "11:30:00",
                    "exdates": [WALK_CANCELLED.isoformat()],
                }
            ],
        )
        # Services without a venue, with the shipped outlines as their areas (as the table importer
        # makes them): a buddy who visits at home in Zuidoost, and a money helpline for the whole city.
        no_cost: dict[str, Any] = {
            "cost_free": None,
            "cost_amount_eur": None,
            "cost_note": None,
            "meetings": [],
        }
        zuidoost, city = read_area("Zuidoost, aan huis"), read_area("telefonisch")
        svc(
            "maatje_zo",
            name="Maatje aan huis Zuidoost",
            category="buddy_project",
            support_functions=["company"],
            service_area=zuidoost.geometry,
            service_area_name=zuidoost.name,
            delivery_modes=zuidoost.modes,
            **no_cost,
        )
        svc(
            "geldlijn",
            name="Geldlijn aan de telefoon",
            category="volunteer_organisation",
            support_functions=["money"],
            service_area=city.geometry,
            service_area_name=city.name,
            delivery_modes=city.modes,
            **no_cost,
        )
        svc(
            "formulieren",
            name="Formulierenspreekuur",
            description="Hulp bij schuldhulpverlening en bij de post van de gemeente.",
            category="social_facility",
            support_functions=["information", "money"],
            location_ids=[ids["oba"]],
            **no_cost,
        )
        svc(
            "koffie",
            name="Koffieochtend voor ouderen",
            category="cafe",
            support_functions=["company"],
            target_groups=["older_people", "lonely"],
            cost_free=False,
            cost_amount_eur="2.00",
            location_ids=[ids["jaren"]],
            meetings=[{"rrule": "FREQ=WEEKLY;BYDAY=FR", "start_time": "10:00:00"}],
        )
        svc(
            "gesloten",
            name="Stamtafel Gesloten",
            category="stamtafel",
            status="closed",
            location_ids=[ids["dapper"]],
        )
        session.commit()
    return ids


@pytest.fixture(scope="module")
def contract_data(
    engine: Engine, meili_server: MeiliServer
) -> Iterator[tuple[dict[str, str], SearchSettings]]:
    """The contract directory in PostgreSQL and synced to a fresh Meilisearch index."""
    yield indexed(engine, meili_server, build_dataset, "contract")


@pytest.fixture(scope="module")
def engines(
    engine: Engine, contract_data: tuple[dict[str, str], SearchSettings]
) -> Iterator[dict[str, PostgresEngine | MeiliEngine]]:
    """Both real engines over the contract data."""
    with both_engines(engine, contract_data[1]) as both:
        yield both
