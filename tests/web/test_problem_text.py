"""Validation problems carry a code and parameters, and pages say them from the catalogue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from directory.errors import InvalidInputError, Problem
from directory.schemas.entries import LocationCreate
from directory.schemas.problems import problems
from web.i18n import Translator
from web.problem_text import problem_text


def _problems(**fields: object) -> list[Problem]:
    """What the API's own schema finds wrong with these fields."""
    base = {"name": "Buurthuis", "category": "community_centre", "lat": 52.37, "lon": 4.9}
    with pytest.raises(ValidationError) as caught:
        LocationCreate.model_validate({**base, **fields})
    return problems(caught.value)


@pytest.mark.parametrize(
    ("fields", "field", "code", "dutch"),
    [
        ({"postcode": "12345"}, "postcode", "postcode", "'12345' is geen Nederlandse postcode"),
        ({"postcode": "1011 SS"}, "postcode", "postcode_unused", "'1011 SS' is geen bestaande postcode."),
        (
            {"opening_hours": "maandag"},
            "opening_hours",
            "opening_hours",
            "'maandag' zijn geen openingstijden",
        ),
        ({"phone": "12"}, "phone", "phone", "'12' is geen telefoonnummer."),
        ({"lat": 48.85, "lon": 2.35}, "lat", "outside_netherlands", "Deze plek ligt buiten Nederland."),
        ({"lon": None}, "lat", "lat_lon_together", "Vul breedte en lengte allebei in."),
        ({"capacity": -3}, "capacity", "greater_than_equal", "Dit moet 0 of meer zijn."),
        ({"capacity": 200_000}, "capacity", "less_than_equal", "Dit mag hoogstens 100.000 zijn."),
        ({"email": "info(at)boomspijker.nl"}, "email", "email_hidden_at", "schrijf @ in plaats van (at)"),
        ({"email": "boomspijker"}, "email", "email", "'boomspijker' is geen e-mailadres."),
        ({"website": "boomspijker"}, "website", "website", "'boomspijker' is geen webadres."),
        ({"name": "x" * 301}, "name", "string_too_long", "Dit is te lang: hoogstens 300 tekens."),
    ],
)
def test_schema_problems_have_a_code_and_a_dutch_text(
    fields: dict[str, object], field: str, code: str, dutch: str
) -> None:
    found = _problems(**fields)
    assert [(p.field, p.code) for p in found] == [(field, code)]
    assert dutch in problem_text(Translator("nl"), found[0])
    assert problem_text(Translator("en"), found[0]) != problem_text(Translator("nl"), found[0])


def test_english_pages_use_the_english_catalogue_and_the_api_keeps_its_message() -> None:
    (postcode,) = _problems(postcode="12345")
    assert postcode.message.startswith("'12345' is not a Dutch postcode")  # what the API and CLI say
    assert problem_text(Translator("en"), postcode).startswith("'12345' is not a Dutch postcode.")


def test_a_code_the_catalogue_does_not_know_is_general_in_dutch_and_as_given_in_english() -> None:
    odd = Problem("something_new", "something nobody wrote a text for", {}, "name")
    assert problem_text(Translator("nl"), odd) == "Deze waarde kan hier niet."
    assert problem_text(Translator("en"), odd) == "something nobody wrote a text for"


def test_service_rules_carry_their_code() -> None:
    error = InvalidInputError(
        "category", "unknown category 'x'", code="unknown_code", params={"value": "'x'"}
    )
    assert error.message == "category: unknown category 'x'"  # the API's detail is unchanged
    assert problem_text(Translator("nl"), error.problem) == "Deze waarde kennen we niet: 'x'."


def test_shared_rules_accept_what_dutch_people_type() -> None:
    base = {"name": "Buurthuis", "category": "community_centre", "lat": 52.37, "lon": 4.9}
    place = LocationCreate.model_validate(
        {**base, "website": "www.boomspijker.nl", "email": " info@boomspijker.nl ", "cost_amount_eur": "3.50"}
    )
    assert place.website == "https://www.boomspijker.nl"
    assert place.email == "info@boomspijker.nl"
    assert place.cost_amount_eur == Decimal("3.50")
    kept = LocationCreate.model_validate({**base, "website": "http://example.nl/agenda?x=1"})
    assert kept.website == "http://example.nl/agenda?x=1"


def test_a_row_not_placed_is_said_with_its_candidates() -> None:
    """A partner-list row left as a draft names the geocoder's candidates, in Dutch and in English."""
    candidates = "Koestraat 16A, 1012 BX Amsterdam; Koestraat 16, 1012 BX Amsterdam"
    problem = Problem("address_candidates", "not placed", {"value": repr(candidates)}, "adres")
    dutch = problem_text(Translator("nl"), problem)
    assert dutch.startswith("Bedoelt u: 'Koestraat 16A, 1012 BX Amsterdam; Koestraat 16,")
    assert "concept" in dutch
    assert problem_text(Translator("en"), problem).startswith("Did you mean: 'Koestraat 16A")
