"""Every problem wijkgram raises has a code both catalogues can say, with the parameters it names.

The codes are read from the source: each `code="..."` given to an error or a
`Problem`, and each `Problem("code", ...)`. A code missing from a catalogue (or
from `RUNTIME_KEYS`, so `pybabel update` would drop it), or a catalogue text
naming a parameter the raise does not give, fails here rather than on a page.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from directory.errors import InvalidInputError, Problem, RuleError
from directory.meetings import closed_range_predicate
from tests import factories
from web.accounts.service import check_password
from web.i18n import LOCALE_DIR, RUNTIME_KEYS, Translator
from web.problem_text import problem_text

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("directory", "web", "geo", "importers", "cli")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
#: Calls that carry a code: our errors and the two `Problem` types (web's and the importers').
CARRIERS = re.compile(r"(Error|Problem)$")


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _raised_codes() -> Iterator[tuple[str, str, set[str] | None]]:
    """(where, code, parameter names or None when not written as a dict) for every coded call."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            # directory.errors.Problem takes the code first; the importers' Problem takes a field.
            coded_first = any(
                isinstance(node, ast.ImportFrom)
                and node.module == "directory.errors"
                and any(alias.name == "Problem" for alias in node.names)
                for node in ast.walk(tree)
            )
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not CARRIERS.search(_name(node.func)):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                keywords = {k.arg: k.value for k in node.keywords if k.arg}
                code = keywords.get("code")
                if code is None and coded_first and _name(node.func) == "Problem" and node.args:
                    code = node.args[0]  # web's Problem(code, message, params, field)
                if not isinstance(code, ast.Constant) or not isinstance(code.value, str):
                    continue
                params = keywords.get("params")
                if params is None and coded_first and _name(node.func) == "Problem" and len(node.args) > 2:
                    params = node.args[2]
                names: set[str] | None = set()
                if isinstance(params, ast.Dict):
                    names = {k.value for k in params.keys if isinstance(k, ast.Constant)}  # type: ignore[misc]
                elif params is not None:
                    names = None
                yield where, code.value, names


def _catalogue(lang: str) -> dict[str, str]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalogue = read_po(fh, locale=lang)
    return {
        m.id: m.string for m in catalogue if isinstance(m.id, str) and isinstance(m.string, str) and m.string
    }


def test_the_source_is_read() -> None:
    codes = {code for _, code, _ in _raised_codes()}
    assert {"postcode", "outside_netherlands", "password_short", "closed_range_order", "range"} <= codes


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_raised_code_is_in_the_catalogue_with_its_parameters(lang: str) -> None:
    catalogue = _catalogue(lang)
    wrong = []
    for where, code, names in _raised_codes():
        text = catalogue.get(f"error.{code}")
        if text is None:
            wrong.append(f"{where}: error.{code} is missing")
        elif names is not None and not set(PLACEHOLDER.findall(text)) <= names:
            needed = sorted(PLACEHOLDER.findall(text))
            wrong.append(f"{where}: error.{code} needs {needed}, gets {sorted(names)}")
    assert wrong == [], "\n".join(wrong)


def test_every_raised_code_is_kept_by_the_extractor() -> None:
    """`pybabel update --ignore-obsolete` keeps only keys it extracts: each code is in RUNTIME_KEYS."""
    missing = sorted({f"error.{code}" for _, code, _ in _raised_codes()} - set(RUNTIME_KEYS))
    assert missing == []


@pytest.mark.parametrize(
    ("text", "code", "dutch"),
    [
        ("zomer", "closed_range_part", "'zomer' is geen datum, maand of jaar."),
        ("2024-02-31", "closed_range_date", "'2024-02-31' staat niet in de kalender."),
        ("2024:07", "closed_range_mixed", "'2024:07' mengt een periode van elk jaar met een vaste datum."),
        ("2024-08:2024-07", "closed_range_order", "'2024-08:2024-07' eindigt voordat het begint."),
    ],
)
def test_a_closed_range_that_is_none_says_why_in_dutch(text: str, code: str, dutch: str) -> None:
    with pytest.raises(RuleError) as caught:
        closed_range_predicate(text)
    assert caught.value.problem.code == code
    assert problem_text(Translator("nl"), caught.value.problem).startswith(dutch)


def test_an_invalid_input_error_needs_a_code() -> None:
    with pytest.raises(TypeError):
        InvalidInputError("q", "no code given")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("password", "code", "dutch"),
    [
        ("kort", "password_short", "Kies een wachtwoord van minstens 10 tekens."),
        ("wachtwoord123", "password_common", "Dit wachtwoord is te makkelijk te raden"),
        ("nina-en-bram", "password_common", "of het is de gebruikersnaam"),
    ],
)
def test_an_account_rule_has_a_code_and_a_dutch_text(password: str, code: str, dutch: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_password(password, "nina-en-bram")
    assert (caught.value.field, caught.value.problem.code) == ("password", code)
    assert dutch in problem_text(Translator("nl"), caught.value.problem)


@pytest.mark.parametrize(
    ("path", "bbox", "code", "values"),
    [
        ("/api/v1/search", "vier", "bbox_format", {"order": "south,west,north,east"}),
        ("/api/v1/map/places", "vier", "bbox_format", {"order": "west,south,east,north"}),
        ("/api/v1/search", "52.4,4.9,52.3,4.8", "bbox_order", {}),
        ("/api/v1/map/places", "4.9,52.4,4.8,52.3", "bbox_order", {}),
        ("/api/v1/search", "nan,4.8,52.4,4.9", "lat_lon_range", {}),
        ("/api/v1/map/places", "4.8,nan,4.9,52.4", "lat_lon_range", {}),
    ],
)
def test_both_box_orders_have_the_same_codes(
    client: TestClient[Any], path: str, bbox: str, code: str, values: dict[str, Any]
) -> None:
    """The search takes 'south,west,north,east', the map 'west,south,east,north'; one checker says why not."""
    response = client.get(path, params={"bbox": bbox})
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"], error["params"]) == ("bbox", code, values)


def test_a_latitude_off_the_globe_is_the_same_problem_on_every_api_that_takes_a_point(
    client: TestClient[Any],
) -> None:
    """Reach and a point's areas say it as the support finder does: one checker (directory.points)."""
    answers = []
    for lat in ("95", "-90.5", "nan"):
        for path, extra in (
            ("/api/v1/reach", {}),
            ("/api/v1/boundaries/at", {}),
            ("/api/v1/support", {"needs": "company"}),
        ):
            response = client.get(path, params={"lat": lat, "lon": "4.9", **extra})
            assert response.status_code == 422, (lat, path, response.text)
            (error,) = response.json()["errors"]
            answers.append((lat, path, error["field"], error["code"], error["params"], error["message"]))
    expected: tuple[str, str, dict[str, Any], str] = (
        "lat/lon",
        "lat_lon_range",
        {},
        "latitude must lie in -90..90 and longitude in -180..180",
    )
    assert [answer[2:] for answer in answers] == [expected] * 9, answers


def test_the_map_pulls_a_world_wrapped_view_back_onto_the_globe(client: TestClient[Any]) -> None:
    response = client.get("/api/v1/map/places", params={"bbox": "-190,-89,200,89", "zoom": 1})
    assert response.status_code == 200, response.text
    assert client.get("/api/v1/search", params={"bbox": "-89,-190,89,200"}).status_code == 422


@pytest.mark.parametrize(
    ("params", "field", "code", "values"),
    [
        ({"q": "x", "sort": "distance"}, "sort", "distance_needs_point", {}),
        ({"q": "x", "sort": "price"}, "sort", "one_of", None),
        ({"q": "x", "bbox": "52,4"}, "bbox", "bbox_format", {"order": "south,west,north,east"}),
        ({"q": "x", "bbox": "53,5,52,4"}, "bbox", "bbox_order", {}),
        ({"q": "x", "facets": "category,colour"}, "facets", "unknown_choice", None),
        ({"q": "x", "near": "52.37;4.9"}, "near", "lat_lon_format", {}),
        ({"q": "x", "near": "52.37,4.9", "radius": 90000}, "radius", "radius_range", {"max": 50000}),
        ({"q": "x", "radius": 500}, "near", "radius_needs_point", {}),
    ],
)
def test_a_search_question_that_cannot_be_answered_has_a_code(
    client: TestClient[Any], params: dict[str, Any], field: str, code: str, values: dict[str, Any] | None
) -> None:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == (field, code)
    if values is not None:
        assert error["params"] == values
    said = problem_text(Translator("nl"), Problem(error["code"], error["message"], error["params"]))
    assert said != Translator("nl")("error.invalid") and "%(" not in said


#: (path, query, field, the unknown value) of every "we do not know this" answer (`require_choice`).
UNKNOWN_CHOICES: list[tuple[str, dict[str, Any], str, str]] = [
    ("/api/v1/map/places", {"bbox": "4.8,52.3,4.9,52.4", "lang": "fr"}, "lang", "fr"),
    ("/api/v1/map/outlines/land", {}, "level", "land"),
    (
        "/api/v1/map/places",
        {"bbox": "4.8,52.3,4.9,52.4", "facilities": ["kitchen", "pool"]},
        "facilities",
        "pool",
    ),
    ("/api/v1/search", {"q": "x", "facets": "category,colour"}, "facets", "colour"),
    ("/api/v1/support", {"lat": 52.37, "lon": 4.9, "needs": ["company", "hope"]}, "needs", "hope"),
]


def test_every_unknown_choice_names_the_value_and_what_may_be_chosen(client: TestClient[Any]) -> None:
    """One value or a list, on any API: the same code, the unknown value alone, and the known ones."""
    for path, params, field, value in UNKNOWN_CHOICES:
        response = client.get(path, params=params)
        assert response.status_code == 422, (path, response.text)
        body = response.json()
        (error,) = body["errors"]
        assert (error["field"], error["code"], error["params"]["value"]) == (field, "unknown_choice", value)
        choices = error["params"]["choices"].split(", ")
        assert value not in choices and len(choices) > 1, (path, choices)
        assert body["detail"] == f"{field}: {error['message']}"


#: (method, path, query or JSON body, field, the wrong value, a known choice) of every API whose
#: setting has a few fixed options: answered with `one_of` by `require_choice`.
ONE_OF_ANSWERS: list[tuple[str, str, dict[str, Any], str, str, str]] = [
    ("GET", "/api/v1/search", {"q": "x", "sort": "price"}, "sort", "price", "relevance"),
    ("GET", "/api/v1/support", {"lat": 52.37, "lon": 4.9, "mode": "plane"}, "mode", "plane", "walk"),
    ("GET", "/api/v1/reach", {"lat": 52.37, "lon": 4.9, "profile": "plane"}, "profile", "plane", "walking"),
    ("GET", "/api/v1/boundaries", {"level": "land"}, "level", "land", "wijk"),
    (
        "POST",
        "/api/v1/wijkgram",
        {"lat": 52.37, "lon": 4.9, "profile": "plane"},
        "profile",
        "plane",
        "walking",
    ),
    ("POST", "/api/v1/wijkgram", {"lat": 52.37, "lon": 4.9, "lang": "fr"}, "lang", "fr", "nl"),
]


def _one_of(problem: dict[str, Any], field: str, value: str, known: str) -> None:
    """The shape every "choose one of these" answer has, whoever raises it."""
    choices = problem["params"]["choices"].split(", ")
    assert (problem["field"], problem["code"], problem["params"]["value"]) == (field, "one_of", value)
    assert known in choices and value not in choices, choices
    assert problem["message"] == f"must be one of {problem['params']['choices']}"
    said = problem_text(Translator("nl"), Problem(problem["code"], problem["message"], problem["params"]))
    assert said == f"Kies een van deze: {problem['params']['choices']}."


@pytest.mark.parametrize(("method", "path", "data", "field", "value", "known"), ONE_OF_ANSWERS)
def test_every_api_setting_with_fixed_options_answers_one_of_with_its_choices(
    client: TestClient[Any], method: str, path: str, data: dict[str, Any], field: str, value: str, known: str
) -> None:
    if method == "GET":
        response = client.get(path, params=data)
    else:
        response = client.post(path, json={"minutes": 10, **data})
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    _one_of(error, field, value, known)


def test_every_service_with_fixed_options_answers_one_of_with_its_choices(clean_db: Engine) -> None:
    """The roles, the kinds of report and the outline levels: no API of their own reaches these checks."""
    from directory.models import User
    from directory.services.entries import Actor, EntryService
    from directory.services.reports import file_report
    from geo.boundaries import boundary_outlines
    from web.accounts.service import create_user, set_role

    with Session(clean_db) as s, s.begin():
        entries = EntryService(s, Actor("test"))
        place = entries.create("location", factories.location())
        user = create_user(s, "nina", "a long test password", "viewer")
        calls: list[tuple[Callable[[], object], str, str, str]] = [
            (lambda: create_user(s, "bram", "a long test password", "king"), "role", "king", "broker"),
            (lambda: set_role(s, user, "king"), "role", "king", "admin"),
            (lambda: file_report(entries, "location", place.id, "spam", None), "kind", "spam", "closed"),
            (lambda: boundary_outlines(s.connection(), "land"), "level", "land", "buurt"),
        ]
        for call, field, value, known in calls:
            with pytest.raises(InvalidInputError) as caught:
                call()
            problem = caught.value.problem
            _one_of(
                {
                    "field": problem.field,
                    "code": problem.code,
                    "message": problem.message,
                    "params": problem.params,
                },
                field,
                value,
                known,
            )
        assert s.get(User, user.id) is not None and user.role == "viewer"
