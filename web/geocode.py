"""Turn what a professional typed (address, postcode or 'lat,lon') into a point, or a choice.

`resolve_place` accepts coordinates directly and hands anything else to
the app's geocoder (geo's: PDOK, then the offline address table, as
WIJKGRAM_GEOCODER says). The answer may be one point, or candidates the
person picks from ("Bedoelt u ...?"): a picked candidate comes back as its
coordinates, so nothing is searched until the person chose. Nothing here
logs or stores the query.
"""

from __future__ import annotations

from collections.abc import Callable

from directory.errors import InvalidInputError
from directory.points import looks_like_lat_lon, parse_lat_lon
from geo.geocoding.base import GeocodeAnswer, Geocoder, GeocodeResult


def resolve_place(query: str, geocoder: Geocoder) -> GeocodeAnswer:
    """What a query names: 'lat,lon' as given, anything else through the geocoder."""
    if looks_like_lat_lon(query):
        try:
            lat, lon = parse_lat_lon(query, "place")
        except InvalidInputError:
            return GeocodeAnswer.nothing("coordinates", "unreadable")
        return GeocodeAnswer.point(GeocodeResult(lat, lon, f"{lat:.5f}, {lon:.5f}", "address", "coordinates"))
    return geocoder.lookup(query)


def read_pick(value: str | None) -> GeocodeResult | None:
    """The candidate the person picked ("lat,lon|label" from a "Bedoelt u ...?" button), or None.

    The point is checked like typed coordinates; the label only names it on the page.
    """
    if not value:
        return None
    point, _, label = value.partition("|")
    try:
        lat, lon = parse_lat_lon(point, "pick")
    except InvalidInputError:
        return None
    return GeocodeResult(lat, lon, label.strip()[:200] or f"{lat:.5f}, {lon:.5f}", "address", "choice")


def pick_value(candidate: GeocodeResult) -> str:
    """What a "Bedoelt u ...?" button sends back: the candidate's point and label."""
    return f"{candidate.lat:.6f},{candidate.lon:.6f}|{candidate.label}"


def problem_key(answer: GeocodeAnswer) -> str:
    """The i18n key that says why there is no point: outside our area, unreadable, no such address,
    or a choice to make."""
    if answer.candidates:
        return "geocode.choose"
    return {
        "outside_area": "geocode.outside_area",
        "unreadable": "geocode.unreadable",
    }.get(answer.reason or "", "geocode.not_found")


def source_key(answer: GeocodeAnswer) -> str:
    """The i18n key naming who answered (PDOK, the offline table, with PDOK down, or the person's pick)."""
    if answer.source == "choice":
        return "geocode.source_other"
    if answer.source == "offline" and "pdok" in answer.skipped:
        return "geocode.source_offline_fallback"
    return (
        f"geocode.source_{answer.source}" if answer.source in ("pdok", "offline") else "geocode.source_other"
    )


def resolve_field(query: str, geocoder: Geocoder, data: dict[str, str], name: str) -> GeocodeAnswer:
    """A form field's answer: the person's pick from "Bedoelt u ...?" (`name` in `data`) when it
    belongs to the text as it is now, else a fresh lookup of the text."""
    if data.get(f"{name}_for") == query:
        picked = read_pick(data.get(name))
        if picked is not None:
            return GeocodeAnswer.point(picked)
    return resolve_place(query, geocoder)


def place_note(t: Callable[..., str], answer: GeocodeAnswer) -> str:
    """One line for under the form: who answered, and what was used when it was not the exact address."""
    place = answer.usable
    if place is None:
        return ""
    parts = [t(source_key(answer))]
    if place.match_type != "exact":
        parts.append(t(f"geocode.match_{place.match_type}", label=place.label))
    return " ".join(parts)
