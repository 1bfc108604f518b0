"""Where every dot and label of a wijkgram goes: deterministic geometry, no database, no randomness.

The household sits in the middle. Around it lie rings: ring 0 (the inner circle)
for offers that come to the home or work by phone, then one ring per travel-time
band (e.g. 5, 10, 15 minutes), then the outer ring "verder weg". Sectors (wedges)
stand for support functions. Each item becomes a dot inside its own ring and
sector, with its label beside it.

Placement is greedy and deterministic: items are taken in a fixed order, each
dot tries candidate points of its cell, nearest to an evenly spread target
first, and takes the first where the dot and its label (right or left of the
dot) overlap nothing placed before. An item whose label finds no room keeps a
numbered dot in its cell and its label goes to a numbered list beside the
circle; if even that list is full, the label is only in the text equivalent.
So no two label boxes ever overlap. After the items, a few free spots per cell
are reserved for the professional's own dots, which the browser fills in
without asking the server: spots with room for a label, or, in a crowded
cell, a spot for a numbered dot whose label goes to a reserved row of the
numbered list.

Coordinates are SVG user units on a canvas with the proportions of A4
landscape; y grows downwards; angles run clockwise from the top.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from directory.wijkgram.labels import shorten, text_width

Anchor = Literal["start", "middle", "end"]

#: Canvas in user units: A4 landscape (297 x 210 mm), about 4.7 units per millimetre.
WIDTH, HEIGHT = 1400.0, 990.0
MARGIN = 8.0
#: Space at the top for the title line(s).
TITLE_HEIGHT = 64.0
CENTER_X, CENTER_Y = WIDTH / 2, TITLE_HEIGHT + (HEIGHT - TITLE_HEIGHT) / 2
#: Outer radius of the "verder weg" ring and of the household mark in the middle.
OUTER_RADIUS = 415.0
HOUSEHOLD_RADIUS = 24.0
#: Outer radius of the inner circle (comes to the home, by phone).
HOME_RADIUS = 125.0
#: Label text: about 8.5 pt when the canvas is printed 277 mm wide.
LABEL_SIZE = 15.0
LABEL_HEIGHT = 19.0
LABEL_MAX_WIDTH = 190.0
SECTOR_LABEL_SIZE = 16.0
RING_LABEL_SIZE = 12.0
DOT_RADIUS = 6.0
#: A dot whose label went to the list carries its number, so it is larger.
NUMBERED_DOT_RADIUS = 10.0
#: Gap kept between any two boxes.
GAP = 2.0
#: Free spots reserved per cell for the professional's own dots, and the label width they allow.
SLOTS_PER_CELL = 2
SLOT_LABEL_WIDTH = 150.0
#: Rows of the numbered list kept for own dots in crowded cells.
OWN_LIST_ROWS = 6
#: The numbered list of labels that found no room: one column at the right edge, one at the left.
LIST_WIDTH = 250.0
#: Candidate dot points tried per item (nearest to its target first).
MAX_CANDIDATES = 160


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle (x0 < x1, y0 < y1)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        """True when the two boxes come closer than `gap`."""
        return not (
            self.x1 + gap <= other.x0
            or other.x1 + gap <= self.x0
            or self.y1 + gap <= other.y0
            or other.y1 + gap <= self.y0
        )

    def inside(self, outer: Box) -> bool:
        """True when this box lies wholly within `outer`."""
        return self.x0 >= outer.x0 and self.y0 >= outer.y0 and self.x1 <= outer.x1 and self.y1 <= outer.y1


CANVAS = Box(MARGIN, MARGIN, WIDTH - MARGIN, HEIGHT - MARGIN)
#: The legend in the lower left corner.
LEGEND = Box(MARGIN, HEIGHT - MARGIN - 66, MARGIN + 330, HEIGHT - MARGIN)


@dataclass(frozen=True)
class Item:
    """One thing to draw: a place or service (`key` is its id), in a ring and a sector."""

    key: str
    label: str
    ring: int
    sector: str


@dataclass(frozen=True)
class Ring:
    """A band between two radii; ring 0 is the inner circle, the last one 'verder weg'."""

    index: int
    inner: float
    outer: float
    label: str


@dataclass(frozen=True)
class Sector:
    """A wedge for one support function, from `start` to `end` (radians clockwise from the top)."""

    code: str
    label: str
    start: float
    end: float

    @property
    def middle(self) -> float:
        """The angle halfway the wedge."""
        return (self.start + self.end) / 2


@dataclass(frozen=True)
class Text:
    """A line of text: where it is drawn, how it is anchored, and the box it takes."""

    text: str
    x: float
    y: float
    anchor: Anchor
    size: float
    box: Box


@dataclass(frozen=True)
class Placed:
    """An item's dot, and its label beside it or (when `number` is set) in the numbered list."""

    item: Item
    x: float
    y: float
    radius: float
    #: The label as drawn beside the dot or in the list (maybe shortened); None: only in the text list.
    label: Text | None
    number: int | None = None


@dataclass(frozen=True)
class Slot:
    """A free spot for one of the professional's own dots: dot at (x, y), label anchored as `anchor`.

    A `dot` slot has room for a numbered dot only (`max_width` 0): its label goes to a `ListSlot`.
    """

    kind: Literal["label", "dot"]
    ring: int
    sector: str
    x: float
    y: float
    anchor: Anchor
    text_x: float
    text_y: float
    max_width: float
    box: Box


@dataclass(frozen=True)
class ListSlot:
    """A free row of the numbered list, for the label of an own dot that had no room beside it."""

    x: float
    y: float
    max_width: float
    box: Box


@dataclass
class Layout:
    """The whole picture: rings, sectors, their captions, the placed items and the reserved slots."""

    rings: list[Ring]
    sectors: list[Sector]
    captions: list[Text]
    placed: list[Placed] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    list_slots: list[ListSlot] = field(default_factory=list)
    width: float = WIDTH
    height: float = HEIGHT
    center_x: float = CENTER_X
    center_y: float = CENTER_Y
    household_radius: float = HOUSEHOLD_RADIUS

    def label_boxes(self) -> list[Box]:
        """Every box text takes: captions, labels beside dots and in the list."""
        return [c.box for c in self.captions] + [p.label.box for p in self.placed if p.label]

    def reserved_boxes(self) -> list[Box]:
        """Every box kept free for the professional's own dots and their labels."""
        return [s.box for s in self.slots] + [s.box for s in self.list_slots]


def point(angle: float, radius: float) -> tuple[float, float]:
    """The canvas point at `angle` (clockwise from the top) and `radius` from the middle."""
    return CENTER_X + radius * math.sin(angle), CENTER_Y - radius * math.cos(angle)


def polar(x: float, y: float) -> tuple[float, float]:
    """(angle in 0..2pi clockwise from the top, radius) of a canvas point."""
    dx, dy = x - CENTER_X, CENTER_Y - y
    return math.atan2(dx, dy) % (2 * math.pi), math.hypot(dx, dy)


def make_rings(labels: Sequence[str]) -> list[Ring]:
    """Rings for these labels, innermost first: the inner circle, then equal bands out to the edge."""
    if len(labels) < 2:
        raise ValueError("a wijkgram needs the inner circle and at least one ring")
    bands = len(labels) - 1
    width = (OUTER_RADIUS - HOME_RADIUS) / bands
    rings = [Ring(0, HOUSEHOLD_RADIUS, HOME_RADIUS, labels[0])]
    rings += [
        Ring(i, HOME_RADIUS + (i - 1) * width, HOME_RADIUS + i * width, labels[i])
        for i in range(1, bands + 1)
    ]
    return rings


def make_sectors(codes_and_labels: Sequence[tuple[str, str]]) -> list[Sector]:
    """Equal wedges in the given order, the first starting at the top."""
    step = 2 * math.pi / len(codes_and_labels)
    return [Sector(code, label, i * step, (i + 1) * step) for i, (code, label) in enumerate(codes_and_labels)]


class Occupied:
    """Boxes already taken, bucketed in a grid so a check looks at a few neighbours only."""

    CELL = 64.0

    def __init__(self) -> None:
        """An empty canvas."""
        self._grid: dict[tuple[int, int], list[Box]] = defaultdict(list)

    def _cells(self, box: Box) -> Iterator[tuple[int, int]]:
        size = self.CELL
        for i in range(math.floor((box.x0 - GAP) / size), math.floor((box.x1 + GAP) / size) + 1):
            for j in range(math.floor((box.y0 - GAP) / size), math.floor((box.y1 + GAP) / size) + 1):
                yield i, j

    def free(self, box: Box) -> bool:
        """True when `box` lies on the canvas and keeps `GAP` from every taken box."""
        if not box.inside(CANVAS):
            return False
        return not any(
            other.overlaps(box, GAP) for cell in self._cells(box) for other in self._grid.get(cell, ())
        )

    def take(self, box: Box) -> None:
        """Mark `box` as taken."""
        for cell in self._cells(box):
            self._grid[cell].append(box)


def _text(text: str, x: float, y: float, anchor: Anchor, size: float, height: float) -> Text:
    """A text line centred on y, its box from the anchor."""
    width = text_width(text, size)
    x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Text(text, x, y + size * 0.35, anchor, size, Box(x0, y - height / 2, x0 + width, y + height / 2))


def _dot_box(x: float, y: float, radius: float) -> Box:
    return Box(x - radius, y - radius, x + radius, y + radius)


def _captions(rings: Sequence[Ring], sectors: Sequence[Sector]) -> list[Text]:
    """Sector names just outside the circle, ring names on the vertical line above the middle."""
    captions = []
    for sector in sectors:
        x, y = point(sector.middle, OUTER_RADIUS + 16)
        sin = math.sin(sector.middle)
        anchor: Anchor = "start" if sin > 0.25 else "end" if sin < -0.25 else "middle"
        # Above and below the circle the caption sits a little further out, clear of the edge.
        y += -8 if math.cos(sector.middle) > 0.9 else 8 if math.cos(sector.middle) < -0.9 else 0
        captions.append(_text(sector.label, x, y, anchor, SECTOR_LABEL_SIZE, SECTOR_LABEL_SIZE + 4))
    for ring in rings:
        # Each ring's name just inside its outer edge, straight above the household.
        x, y = point(0.0, ring.outer - RING_LABEL_SIZE * 0.9)
        captions.append(_text(ring.label, x, y, "middle", RING_LABEL_SIZE, RING_LABEL_SIZE + 3))
    return captions


def _candidates(ring: Ring, sector: Sector, radius: float) -> list[tuple[float, float]]:
    """Dot points inside the cell, kept `radius` plus a margin clear of its edges."""
    pad = radius + 5.0
    inner, outer = ring.inner + pad, ring.outer - pad
    if outer < inner:
        inner = outer = (ring.inner + ring.outer) / 2
    steps = max(1, int((outer - inner) // 11))
    points = []
    for k in range(steps + 1):
        r = inner + (outer - inner) * k / steps
        margin = pad / r
        start, end = sector.start + margin, sector.end - margin
        if end < start:
            continue
        count = max(1, int((end - start) * r // 13))
        for m in range(count + 1):
            points.append(point(start + (end - start) * m / count, r))
    return points


def _target(ring: Ring, sector: Sector, k: int, n: int) -> tuple[float, float]:
    """Where the k-th of n items of a cell would ideally go: spread along the wedge, staggered in and out."""
    angle = sector.start + (sector.end - sector.start) * (k + 0.5) / n
    middle = (ring.inner + ring.outer) / 2
    stagger = (ring.outer - ring.inner) / 4 * ((k % 3) - 1) if n > 2 else 0.0
    return point(angle, middle + stagger)


def _label_options(x: float, y: float, radius: float, text: str) -> list[Text]:
    """The label right or left of a dot (the side away from the middle first), then above or below."""
    right = _text(text, x + radius + 4, y, "start", LABEL_SIZE, LABEL_HEIGHT)
    left = _text(text, x - radius - 4, y, "end", LABEL_SIZE, LABEL_HEIGHT)
    # Centred above or below the dot when neither side is free (a crowded stretch of the circle).
    above = _text(text, x, y - radius - LABEL_HEIGHT / 2 - 1, "middle", LABEL_SIZE, LABEL_HEIGHT)
    below = _text(text, x, y + radius + LABEL_HEIGHT / 2 + 1, "middle", LABEL_SIZE, LABEL_HEIGHT)
    sides = [right, left] if x >= CENTER_X else [left, right]
    return [*sides, above, below] if y < CENTER_Y else [*sides, below, above]


def _ordered(points: list[tuple[float, float]], target: tuple[float, float]) -> list[tuple[float, float]]:
    tx, ty = target
    return sorted(points, key=lambda p: ((p[0] - tx) ** 2 + (p[1] - ty) ** 2, p[0], p[1]))[:MAX_CANDIDATES]


def _list_rows() -> Iterator[tuple[float, float, Anchor]]:
    """Spots for the numbered list: down the right edge, then down the left edge."""
    y = TITLE_HEIGHT + LABEL_HEIGHT
    rows = []
    while y + LABEL_HEIGHT / 2 <= HEIGHT - MARGIN:
        rows.append(y)
        y += LABEL_HEIGHT + GAP
    for x in (WIDTH - MARGIN - LIST_WIDTH, MARGIN):
        for row in rows:
            yield x, row, "start"


def layout(
    items: Sequence[Item],
    rings: Sequence[Ring],
    sectors: Sequence[Sector],
    *,
    slots_per_cell: int = SLOTS_PER_CELL,
) -> Layout:
    """Place every item once, in its own ring and sector, with labels that never overlap.

    Items are taken innermost ring first, then by sector, then as given; the same
    input always gives the same picture. An item whose ring or sector is unknown
    is a programming error (ValueError).
    """
    ring_of = {r.index: r for r in rings}
    sector_of = {s.code: s for s in sectors}
    sector_rank = {s.code: i for i, s in enumerate(sectors)}
    _check_items(items, ring_of, sector_of)
    result = Layout(list(rings), list(sectors), _captions(rings, sectors))
    taken = Occupied()
    for box in (_dot_box(CENTER_X, CENTER_Y, HOUSEHOLD_RADIUS), Box(0, 0, WIDTH, TITLE_HEIGHT), LEGEND):
        taken.take(box)
    for caption in result.captions:
        taken.take(caption.box)
    # Before any item: one small spot per cell, in its outer corner, for a numbered own dot, so
    # the professional's own people (a neighbour, a sister) always fit, however crowded the cell.
    dot_slots = _reserve_dot_spots(taken, rings, sectors)

    order = sorted(range(len(items)), key=lambda i: (items[i].ring, sector_rank[items[i].sector], i))
    cells: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i in order:
        cells[(items[i].ring, items[i].sector)].append(i)
    placed: dict[int, Placed] = {}
    unlabelled: list[int] = []
    for (ring_index, code), members in cells.items():
        ring, sector = ring_of[ring_index], sector_of[code]
        points = _candidates(ring, sector, DOT_RADIUS)
        for k, i in enumerate(members):
            item = items[i]
            text = shorten(item.label, LABEL_SIZE, LABEL_MAX_WIDTH)
            spot = _place_with_label(taken, _ordered(points, _target(ring, sector, k, len(members))), text)
            if spot is not None:
                placed[i] = Placed(item, spot[0], spot[1], DOT_RADIUS, spot[2])
            else:
                unlabelled.append(i)

    # Labels that found no room beside their dot: a numbered dot in the cell, the label in the list.
    rows = _list_rows()
    for number, i in enumerate(unlabelled, start=1):
        item = items[i]
        placed[i] = _numbered(taken, rows, item, ring_of[item.ring], sector_of[item.sector], number)
    result.placed = [placed[i] for i in order]
    result.slots = _reserve_slots(taken, rings, sectors, slots_per_cell) + dot_slots
    result.list_slots = _reserve_rows(taken, rows)
    return result


def _check_items(items: Sequence[Item], ring_of: Mapping[int, Ring], sector_of: Mapping[str, Sector]) -> None:
    """ValueError for an item in an unknown ring or sector, or two items with one key."""
    for item in items:
        if item.ring not in ring_of or item.sector not in sector_of:
            raise ValueError(f"item {item.key!r} has no ring {item.ring} or sector {item.sector!r}")
    if len({item.key for item in items}) != len(items):
        raise ValueError("every item needs its own key")


def _numbered(
    taken: Occupied,
    rows: Iterator[tuple[float, float, Anchor]],
    item: Item,
    ring: Ring,
    sector: Sector,
    number: int,
) -> Placed:
    """A numbered dot in the item's cell, its label in the next free row of the list (or nowhere)."""
    points = _ordered(_candidates(ring, sector, NUMBERED_DOT_RADIUS), _target(ring, sector, 0, 1))
    x, y = _place_dot(taken, points, NUMBERED_DOT_RADIUS)
    text = shorten(f"{number}. {item.label}", LABEL_SIZE, LIST_WIDTH)
    for lx, ly, anchor in rows:
        candidate = _text(text, lx, ly, anchor, LABEL_SIZE, LABEL_HEIGHT)
        if taken.free(candidate.box):
            taken.take(candidate.box)
            return Placed(item, x, y, NUMBERED_DOT_RADIUS, candidate, number)
    return Placed(item, x, y, NUMBERED_DOT_RADIUS, None, number)


def _reserve_rows(taken: Occupied, rows: Iterator[tuple[float, float, Anchor]]) -> list[ListSlot]:
    """Rows of the numbered list kept for own dots whose cell has no room for a label."""
    kept: list[ListSlot] = []
    for x, y, anchor in rows:
        if len(kept) >= OWN_LIST_ROWS:
            break
        row = _text("", x, y, anchor, LABEL_SIZE, LABEL_HEIGHT)
        box = Box(x, row.box.y0, x + LIST_WIDTH, row.box.y1)
        if taken.free(box):
            taken.take(box)
            kept.append(ListSlot(round(x, 1), round(row.y, 1), LIST_WIDTH, box))
    return kept


def _place_with_label(
    taken: Occupied, points: Sequence[tuple[float, float]], text: str
) -> tuple[float, float, Text] | None:
    """The first point where the dot and its label (either side) are free; both are then taken."""
    for x, y in points:
        dot = _dot_box(x, y, DOT_RADIUS)
        if not taken.free(dot):
            continue
        for option in _label_options(x, y, DOT_RADIUS, text):
            if taken.free(option.box) and not option.box.overlaps(dot, GAP):
                taken.take(dot)
                taken.take(option.box)
                return round(x, 1), round(y, 1), option
    return None


def _place_dot(taken: Occupied, points: Sequence[tuple[float, float]], radius: float) -> tuple[float, float]:
    """The first free point for a dot alone; in a cell packed full, the first point (dots may then touch)."""
    for x, y in points:
        box = _dot_box(x, y, radius)
        if taken.free(box):
            taken.take(box)
            return round(x, 1), round(y, 1)
    x, y = points[0]
    return round(x, 1), round(y, 1)


def _reserve_slots(
    taken: Occupied, rings: Sequence[Ring], sectors: Sequence[Sector], per_cell: int
) -> list[Slot]:
    """Up to `per_cell` free spots per cell for the professional's own dots."""
    slots: list[Slot] = []
    probe = "m" * 40
    for ring in rings:
        for sector in sectors:
            points = _ordered(_candidates(ring, sector, DOT_RADIUS), _target(ring, sector, 0, 1))
            found = 0
            for x, y in points:
                if found >= per_cell:
                    break
                dot = _dot_box(x, y, DOT_RADIUS)
                if not taken.free(dot):
                    continue
                width = SLOT_LABEL_WIDTH
                for option in _label_options(x, y, DOT_RADIUS, shorten(probe, LABEL_SIZE, width)):
                    if taken.free(option.box) and not option.box.overlaps(dot, GAP):
                        taken.take(dot)
                        taken.take(option.box)
                        slots.append(
                            Slot(
                                "label",
                                ring.index,
                                sector.code,
                                round(x, 1),
                                round(y, 1),
                                option.anchor,
                                round(option.x, 1),
                                round(option.y, 1),
                                option.box.x1 - option.box.x0,
                                option.box,
                            )
                        )
                        found += 1
                        break
    return slots


def _reserve_dot_spots(taken: Occupied, rings: Sequence[Ring], sectors: Sequence[Sector]) -> list[Slot]:
    """A spot for a numbered dot in each cell, as near its outer, clockwise corner as is free."""
    slots = []
    for ring in rings:
        for sector in sectors:
            points = _candidates(ring, sector, NUMBERED_DOT_RADIUS)
            corner = point(sector.end, ring.outer)
            for x, y in _ordered(points, corner):
                box = _dot_box(x, y, NUMBERED_DOT_RADIUS)
                if taken.free(box):
                    taken.take(box)
                    x, y = round(x, 1), round(y, 1)
                    slots.append(Slot("dot", ring.index, sector.code, x, y, "middle", x, y, 0.0, box))
                    break
    return slots


def cell_of(x: float, y: float, rings: Sequence[Ring], sectors: Sequence[Sector]) -> tuple[int, str] | None:
    """The (ring, sector) a canvas point lies in, or None outside the circle (for tests and checks)."""
    angle, radius = polar(x, y)
    ring = next((r.index for r in rings if r.inner <= radius < r.outer), None)
    sector = next((s.code for s in sectors if s.start <= angle < s.end), None)
    return None if ring is None or sector is None else (ring, sector)
