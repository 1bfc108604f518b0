"""Validation messages of the shared schemas and importers, in the page's language.

`directory/` and `importers/` say what is wrong in English (the API, the CLI and
the logs use those words). The Dutch pages show the same messages in Dutch: each
known message is recognised by its pattern and rewritten, keeping the value the
broker typed. A message no pattern knows is shown as it is, so nothing is hidden.
"""

from __future__ import annotations

import re

#: (English pattern, Dutch text); named groups are carried over.
DUTCH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), text)
    for pattern, text in (
        # directory/schemas/validators.py
        (
            r"^(?P<v>.+) is not a Dutch postcode\b.*",
            "{v} is geen Nederlandse postcode. Een postcode is vier cijfers en twee letters, zoals 1011 AB.",
        ),
        (r"^(?P<v>.+) is not an existing Dutch postcode\b.*", "{v} is geen bestaande postcode."),
        (r"^point .* is outside the Netherlands.*", "Deze plek ligt buiten Nederland."),
        (
            r"^(?P<v>.+) is not valid opening-hours syntax.*",
            "{v} zijn geen openingstijden die we kunnen lezen. Schrijf ze zoals Mo-Fr 09:00-17:00.",
        ),
        (r"^(?P<v>.+) is not a valid RRULE.*", "{v} is geen herhaling die we kunnen lezen (RRULE)."),
        (r"^(?P<v>.+) is not a (possible )?phone number.*", "{v} is geen telefoonnummer."),
        (
            r"^(?P<v>.+) is not an ISO 639 language code.*",
            "{v} is geen taalcode. Gebruik twee letters, zoals nl of ar.",
        ),
        (r"^not a GeoJSON geometry.*", "Dit gebied is geen vorm die we kunnen lezen (GeoJSON)."),
        (r"^must be a Polygon or MultiPolygon.*", "Het gebied moet een vlak zijn (Polygon of MultiPolygon)."),
        (r"^polygon is not valid.*", "Het gebied klopt niet: de lijn kruist zichzelf of is niet dicht."),
        # directory/schemas/entries.py and directory/services/entries.py
        (r"^lat and lon must be given together.*", "Vul breedte en lengte allebei in."),
        (r"^lat and lon are required.*", "Vul breedte en lengte in."),
        (r"^name is required.*", "Vul een naam in."),
        (r"^may not be empty.*", "Vul dit in."),
        (r"^unknown [a-z ]+? (?P<v>'.+?');.*", "Deze waarde kennen we niet: {v}."),
        (r"^locations do not exist: (?P<v>.+)$", "Deze plekken bestaan niet: {v}."),
        # pydantic's own messages
        (r"^field required$", "Vul dit in."),
        (r"^input should be greater than or equal to (?P<n>\S+)$", "Dit moet {n} of meer zijn."),
        (r"^input should be greater than (?P<n>\S+)$", "Dit moet meer dan {n} zijn."),
        (r"^input should be less than or equal to (?P<n>\S+)$", "Dit mag hoogstens {n} zijn."),
        (r"^string should have at most (?P<n>\d+) characters?$", "Dit is te lang: hoogstens {n} tekens."),
        (r"^string should have at least (?P<n>\d+) characters?$", "Dit is te kort: minstens {n} tekens."),
        (r"^input should be a valid (integer|number).*", "Vul een getal in."),
        (r"^input should be a valid url.*", "Dit is geen webadres. Begin met https://"),
        (r"^value is not a valid email address.*", "Dit is geen e-mailadres."),
        (r"^input should be .*", "Deze waarde kan hier niet."),
    )
)


def in_language(message: str, lang: str) -> str:
    """The message for a page in `lang`: Dutch when a pattern knows it, else as it is.

    A leading "field: " (as the importers write it) is kept in front.
    """
    if lang != "nl" or not message:
        return message
    prefix, text = "", message.strip()
    head, sep, rest = text.partition(": ")
    if sep and re.fullmatch(r"[a-z_]+(/[a-z_]+)*", head):
        prefix, text = f"{head}: ", rest
    for pattern, dutch in DUTCH:
        found = pattern.match(text)
        if found:
            return prefix + dutch.format(**found.groupdict())
    return message
