"""The wijkgram layout: every item placed once in its own ring and sector, no two labels overlapping."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from directory.services.wijkgram import SECTORS
from directory.wijkgram.labels import ELLIPSIS, shorten, text_width
from directory.wijkgram.layout import (
    CANVAS,
    LABEL_MAX_WIDTH,
    LABEL_SIZE,
    Item,
    Layout,
    cell_of,
    layout,
    make_rings,
    make_sectors,
)

RINGS = make_rings(["komt thuis", "5 min", "10 min", "15 min", "verder weg"])
SECTOR_WEDGES = make_sectors([(code, code.title()) for code in SECTORS])
NAMES = [
    "Buurtcentrum De Boomspijker",
    "Taalcafé",
    "Voedselbank Amsterdam Centrum, uitgiftepunt Nieuwmarkt",
    "Repair Café",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
    "i",
    "Humanitas Thuisadministratie",
    "Stamtafel",
]


def check(drawn: Layout, items: list[Item]) -> None:
    """The properties every layout must have."""
    keys = [p.item.key for p in drawn.placed]
    assert sorted(keys) == sorted(i.key for i in items), "every item placed exactly once"
    for placed in drawn.placed:
        assert cell_of(placed.x, placed.y, drawn.rings, drawn.sectors) == (
            placed.item.ring,
            placed.item.sector,
        )
    boxes = drawn.label_boxes() + drawn.reserved_boxes()
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), f"{a} overlaps {b}"
    for placed in drawn.placed:
        if placed.label:
            assert placed.label.box.inside(CANVAS)
            assert text_width(placed.label.text, LABEL_SIZE) <= max(LABEL_MAX_WIDTH, 250) + 0.01
    # Dots keep clear of every label but their own.
    for placed in drawn.placed:
        dot = placed.radius
        from directory.wijkgram.layout import Box

        box = Box(placed.x - dot, placed.y - dot, placed.x + dot, placed.y + dot)
        for other in drawn.placed:
            if other is not placed and other.label and placed.number is None:
                assert not box.overlaps(other.label.box), f"dot of {placed.item.key} under a label"


items_strategy = st.lists(
    st.builds(
        lambda ring, sector, name: (ring, sector, name),
        st.integers(0, 4),
        st.sampled_from(SECTORS),
        st.sampled_from(NAMES) | st.text(min_size=1, max_size=60),
    ),
    max_size=70,
)


@settings(max_examples=40, deadline=None)
@given(items_strategy)
def test_every_item_once_in_its_cell_and_no_label_overlaps(raw: list[tuple[int, str, str]]) -> None:
    items = [Item(f"k{i}", name, ring, sector) for i, (ring, sector, name) in enumerate(raw)]
    check(layout(items, RINGS, SECTOR_WEDGES), items)


def test_the_same_input_gives_the_same_picture() -> None:
    items = [Item(f"k{i}", NAMES[i % len(NAMES)], i % 5, SECTORS[i % 7]) for i in range(40)]
    assert layout(items, RINGS, SECTOR_WEDGES) == layout(items, RINGS, SECTOR_WEDGES)


def test_a_crowded_cell_numbers_its_dots_and_lists_their_labels() -> None:
    items = [Item(f"k{i}", f"Maatjesproject nummer {i}", 0, "money") for i in range(30)]
    drawn = layout(items, RINGS, SECTOR_WEDGES)
    check(drawn, items)
    numbered = [p for p in drawn.placed if p.number is not None]
    assert numbered, "the inner circle's wedge cannot hold 30 labels beside their dots"
    assert [p.number for p in numbered] == list(range(1, len(numbered) + 1))
    assert all(p.label and p.label.text.startswith(f"{p.number}. ") for p in numbered)
    # The crowded cell still takes an own dot: a numbered one, its label in a kept row of the list.
    crowded = [s for s in drawn.slots if (s.ring, s.sector) == (0, "money")]
    assert [s.kind for s in crowded] == ["dot"]
    assert len(drawn.list_slots) == 6


def test_free_slots_for_own_dots_lie_in_their_cell() -> None:
    drawn = layout([Item("a", "Taalcafé", 1, "language")], RINGS, SECTOR_WEDGES)
    assert drawn.slots
    for slot in drawn.slots:
        assert cell_of(slot.x, slot.y, drawn.rings, drawn.sectors) == (slot.ring, slot.sector)
    cells = {(s.ring, s.sector) for s in drawn.slots if s.kind == "label"}
    assert len(cells) >= 30, "almost every cell of an empty picture has room for an own dot with its label"
    dots = {(s.ring, s.sector) for s in drawn.slots if s.kind == "dot"}
    assert len(dots) == len(drawn.rings) * len(drawn.sectors), "and every cell a spot for a numbered one"


def test_long_labels_are_shortened_with_an_ellipsis() -> None:
    name = "Voedselbank Amsterdam Centrum, uitgiftepunt Nieuwmarkt"
    short = shorten(name, LABEL_SIZE, LABEL_MAX_WIDTH)
    assert short.endswith(ELLIPSIS) and len(short) < len(name)
    assert text_width(short, LABEL_SIZE) <= LABEL_MAX_WIDTH
    assert shorten("Taalcafé", LABEL_SIZE, LABEL_MAX_WIDTH) == "Taalcafé"


def test_unknown_ring_or_sector_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        layout([Item("a", "x", 9, "money")], RINGS, SECTOR_WEDGES)
    with pytest.raises(ValueError):
        layout([Item("a", "x", 1, "hope")], RINGS, SECTOR_WEDGES)
