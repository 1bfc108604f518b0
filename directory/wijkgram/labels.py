"""Label widths without a font renderer, and shortening a label to a width.

The picture is laid out on the server, where no font is at hand, so widths are
estimated per character class with DejaVu Sans' advance widths (the widest of the
common sans-serif fonts: Arial or Liberation Sans render narrower, never wider).
A browser test measures the drawn labels and checks the estimate holds.
"""

from __future__ import annotations

ELLIPSIS = "…"

#: Advance widths as a share of the font size, rounded up from DejaVu Sans.
_NARROW = frozenset("iljI.,:;'!|()[]{} ")
_SEMI = frozenset('frt-/"')
_WIDE = frozenset("mwMW@%&")
_NARROW_W, _SEMI_W, _WIDE_W, _UPPER_W, _DIGIT_W, _OTHER_W = 0.34, 0.45, 0.98, 0.78, 0.66, 0.64


def char_width(char: str) -> float:
    """The estimated advance width of one character, as a share of the font size."""
    if char in _NARROW:
        return _NARROW_W
    if char in _SEMI:
        return _SEMI_W
    if char in _WIDE:
        return _WIDE_W
    if char.isdigit():
        return _DIGIT_W
    if char.isupper():
        return _UPPER_W
    return _OTHER_W


def text_width(text: str, size: float) -> float:
    """The estimated width of `text` at font size `size` (user units)."""
    return sum(char_width(c) for c in text) * size


def shorten(text: str, size: float, max_width: float) -> str:
    """`text` as it fits in `max_width`: whole when it fits, else cut at a word if possible, with '…'."""
    text = " ".join(text.split())
    if text_width(text, size) <= max_width:
        return text
    room = max_width - text_width(ELLIPSIS, size)
    cut = ""
    for char in text:
        if text_width(cut + char, size) > room:
            break
        cut += char
    # Cut at the last space when that keeps most of the text: "Buurtcentrum De…" reads better.
    space = cut.rfind(" ")
    if space >= len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.-") + ELLIPSIS
