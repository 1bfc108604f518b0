"""How the pages travel: their travel modes, geo's profiles behind them, and the routing service.

The pages keep their own short mode keys (walk, slow_walk, ...) in forms and
messages; each maps onto one geo profile, so a page never offers a mode the
street network cannot answer. Cycling was dropped: there is no cycling
profile, and a crow-fly guess next to real walking times would mislead.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from litestar.datastructures import State
from sqlalchemy.orm import Session

from directory.services.support import (
    Reached,
    SupportQuery,
    SupportResults,
    find_support,
    whole_minutes,
)
from directory.settings import get_settings
from geo.network.profiles import PROFILES, Profile
from geo.reach import MAX_MINUTES, Origin, Reachability, RoutingCache
from web.i18n import Translator

log = logging.getLogger(__name__)

#: Page travel mode -> geo profile name (geo/network/profiles.py).
MODE_PROFILES = {
    "walk": "walking",
    "slow_walk": "slow_walking",
    "wheelchair": "wheelchair",
    "scootmobiel": "scootmobiel",
}
TRAVEL_MODES = tuple(MODE_PROFILES)
DEFAULT_MINUTES = 15
__all__ = ["DEFAULT_MINUTES", "MAX_MINUTES", "MODE_PROFILES", "TRAVEL_MODES", "whole_minutes"]


def profile_for(mode: str) -> Profile:
    """The geo profile behind a page travel mode."""
    return PROFILES[MODE_PROFILES[mode]]


@dataclass(frozen=True)
class StreetTravel:
    """Travel times over the street network for one travel mode (directory's `TravelTimes`)."""

    routing: Reachability
    profile: Profile

    def reach(self, session: Session, lat: float, lon: float, minutes: int) -> Reached:
        """The locations reachable from the point within `minutes` on this profile."""
        result = self.routing.reach(session, Origin(lat, lon), self.profile, minutes)
        return Reached(
            {uuid.UUID(r.location.id): (r.seconds, r.method) for r in result.locations},
            result.origin_on_network,
        )


def app_routing(state: State) -> RoutingCache:
    """The app's one routing cache (made at start-up in create_app)."""
    routing: RoutingCache = state.routing
    return routing


def street_travel(routing: RoutingCache, mode: str) -> StreetTravel | None:
    """Street-network travel for a page mode, or None when no network has been built (crow-fly then)."""
    service = routing.available()
    return None if service is None else StreetTravel(service, profile_for(mode))


def support_results(state: State, session: Session, query: SupportQuery) -> SupportResults:
    """The support question for a page or the API: over the streets when a network is built, else crow-fly."""
    return find_support(
        session,
        query,
        travel=street_travel(app_routing(state), query.mode),
        crow_fly_speed_ms=profile_for(query.mode).speed_ms,
        stale_after_months=get_settings().web.stale_after_months,
    )


def warm_up_routing(routing: RoutingCache) -> None:
    """Load the network and all profiles now (server start, in a thread); a failure only delays it.

    Requests load it themselves when this did not finish, so nothing is lost by giving up here.
    """
    try:
        routing.warm_up()
    except Exception as exc:  # a background warm-up must never take the server down
        log.warning("street network warm-up failed (%s); it loads on first use", type(exc).__name__)


def read_travel(t: Translator, data: dict[str, str], errors: dict[str, str]) -> tuple[str, int | None]:
    """A form's travel mode and minutes; each one that is wrong gets its message in `errors`.

    A wrong mode falls back to walking (so the form shows a valid choice again); wrong
    minutes come back as None, for the caller to keep its default.
    """
    mode = data.get("mode", "walk")
    if mode not in TRAVEL_MODES:
        errors["mode"] = t("travel.bad_mode")
        mode = "walk"
    minutes = parse_minutes(data.get("minutes"))
    if minutes is None:
        errors["minutes"] = t("travel.bad_minutes", max=MAX_MINUTES)
    return mode, minutes


def parse_minutes(raw: str | None) -> int | None:
    """A minutes field as typed: a whole number 1..MAX_MINUTES, else None (the page says why)."""
    try:
        value = int((raw or str(DEFAULT_MINUTES)).strip())
    except ValueError:
        return None
    return value if 1 <= value <= MAX_MINUTES else None


def travel_text(t: Translator, minutes: int, mode: str, method: str = "network") -> str:
    """'ongeveer 7 minuten lopen', marked when it is a straight-line estimate."""
    key = "travel.minutes_one" if minutes == 1 else "travel.minutes"
    text = t(key, minutes=minutes, mode=t(f"mode.{mode}"))
    return text + (" " + t("travel.crow_fly_mark") if method == "crow_fly" else "")
