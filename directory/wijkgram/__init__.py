"""The wijkgram picture: a household's support drawn as rings of travel time and sectors of support.

`layout` places the dots and labels (pure geometry, no database); `labels` measures
and shortens label texts. The entries and their travel times come from
`directory/services/wijkgram.py`; web/ draws the layout as SVG.
"""
