"""Property tests over typed address strings: house-number additions, postcodes, any text at all."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.geocoding.parse import fold, number_key, parse_query, street_core

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéë", min_size=3, max_size=12).map(str.capitalize)
STREET = (
    st.lists(WORD, min_size=1, max_size=3)
    .map(" ".join)
    # An addition, or a word saying 'near' ('Nieuwmarkt bij 15'), is not the end of a street name.
    .filter(lambda s: fold(s.split()[-1]) not in {"bis", "hs", "huis", "bij", "naast", "nabij", "achter"})
)
BASE = st.integers(min_value=1, max_value=9999)
LETTER = st.sampled_from(["", "A", "B", "h", "H"])
ADDITION = st.sampled_from(["", "1", "2", "3", "hs", "bis", "II"])
SEPARATOR = st.sampled_from(["-", " ", ""])
#: Parsing is fast, but the shared test machines are not: no per-example deadline.
NO_DEADLINE = settings(deadline=None)
POSTCODE = st.tuples(st.integers(1000, 9999), st.sampled_from(["AB", "JS", "ec", "Xz"]))


def _written(base: int, letter: str, addition: str, sep: str) -> str:
    """One way a person writes a number: 12, 12A, 12-H, 12 hs, 12A-2."""
    if not letter and not addition:
        return str(base)
    if letter and addition:
        return f"{base}{letter}-{addition}"
    return f"{base}{sep}{letter or addition}"


@NO_DEADLINE
@given(STREET, BASE, LETTER, ADDITION, SEPARATOR)
def test_street_and_number_are_read_back(
    street: str, base: int, letter: str, addition: str, sep: str
) -> None:
    """'Street 12A-2' is read as that street and that number, whatever addition it carries."""
    if addition and not letter and sep == "" and addition.isdigit():
        sep = "-"  # '121' is number 121, not 12-1: a bare digit addition needs its separator
    number = _written(base, letter, addition, sep)
    parsed = parse_query(f"{street} {number}")
    assert parsed.street == street
    assert parsed.number is not None and number_key(parsed.number) == number_key(number)
    assert parsed.number_key is not None and parsed.number_key.split("-")[0] == str(base)


@NO_DEADLINE
@given(BASE, st.sampled_from(["h", "a", "hs", "bis"]))
def test_additions_written_differently_are_one_number(base: int, addition: str) -> None:
    """'12-H', '12 h', '12H' and '12 - H' are one house number."""
    forms = {
        number_key(f"{base}{sep}{case(addition)}")
        for sep in ("-", " ", "", " - ")
        for case in (str.upper, str.lower)
    }
    assert forms == {f"{base}-{addition}"}


@NO_DEADLINE
@given(BASE, st.integers(1, 9), st.integers(1, 9))
def test_additions_that_differ_stay_apart(base: int, first: int, second: int) -> None:
    """'12A-2' is not '12A-3', and '12-1' is not 121."""
    if first != second:
        assert number_key(f"{base}A-{first}") != number_key(f"{base}A-{second}")
    assert number_key(f"{base}-{first}") != number_key(f"{base}{first}")


@NO_DEADLINE
@given(st.text(max_size=80))
def test_any_text_is_read_without_error(text: str) -> None:
    """Whatever is typed, reading it never fails, and the key of a key is itself."""
    parsed = parse_query(text)
    if parsed.number_key is not None:
        assert number_key(parsed.number_key) == parsed.number_key


@NO_DEADLINE
@given(POSTCODE, BASE, SEPARATOR, st.sampled_from([" ", ""]))
def test_postcode_is_a_strong_key(postcode: tuple[int, str], base: int, sep: str, gap: str) -> None:
    """'1012 JS 1', '1012js1' and '1012JS, 1' all give postcode 1012JS and number 1."""
    digits, letters = postcode
    parsed = parse_query(f"{digits}{gap}{letters}{sep if sep != '-' else ', '}{base}")
    assert parsed.postcode == f"{digits}{letters.upper()}"
    assert parsed.number_key == str(base)
    alone = parse_query(f"{digits}{gap}{letters}")
    assert alone.postcode == f"{digits}{letters.upper()}" and alone.number is None


@NO_DEADLINE
@given(st.sampled_from(["Nieuwe ", "Oude ", "Kleine ", ""]), STREET)
def test_prefix_variants_share_a_core(prefix: str, street: str) -> None:
    """'Nieuwe Achtergracht' and 'Achtergracht' share their core; other streets do not."""
    assert street_core(prefix + street) == street_core(street)
    assert street_core(street + "steeg") != street_core(street)
