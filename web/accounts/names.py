"""Who did it, as the public may see it: a display name or "een vrijwilliger", never a username.

Usernames are half of a login. The public history, the per-field sources and
"verified by" used to show them, so anyone could collect every broker's login
name. Brokers (and admins) still see usernames; everyone else sees the
person's display name, or "een vrijwilliger" / "a volunteer". Names that are
not people (importers, the demo loader, the API without a user) stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from web.accounts.current import CurrentUser
from web.accounts.service import display_names
from web.i18n import Translator

#: Actors that are processes, not people (`import:osm`, `import:table`, ... start with "import:").
SYSTEM_ACTORS = frozenset({"demo", "api", "anonymous"})


def is_system_actor(name: str) -> bool:
    """True for an actor that is a process (importer, demo loader), whose name is no secret."""
    return name in SYSTEM_ACTORS or name.startswith("import:")


@dataclass(frozen=True)
class RevisionView:
    """A revision as a page shows it (the ORM row must not be changed: it would be saved)."""

    version: int
    kind: str
    changed_by: str
    changed_at: datetime
    changes: dict[str, Any]
    snapshot: dict[str, Any]
    note: str | None


class PublicNames:
    """Replaces people's usernames for one viewer; a no-op for brokers and admins."""

    def __init__(self, session: Session, viewer: CurrentUser | None, lang: str = "nl") -> None:
        self.reveal = viewer is not None and viewer.has_role("broker")
        t = Translator(lang)
        self.volunteer = t("entry.volunteer")
        self._session = session
        self._loaded: dict[str, str | None] | None = None

    @property
    def _display(self) -> dict[str, str | None]:
        # Read when first needed (in the handler's thread), once: the user table is small.
        if self._loaded is None:
            self._loaded = display_names(self._session)
        return self._loaded

    def person(self, name: str | None) -> str | None:
        """Who changed something: display name, "een vrijwilliger", or a process's own name."""
        if self.reveal or name is None:
            return name
        if name in self._display:
            return self._display[name] or self.volunteer
        return name if is_system_actor(name) else self.volunteer

    def verifier(self, name: str | None) -> str | None:
        """`verified_by` is free text (an organisation may stand there): only usernames are replaced."""
        if self.reveal or name is None or name not in self._display:
            return name
        return self._display[name] or self.volunteer

    def entry(self, data: dict[str, Any]) -> dict[str, Any]:
        """An entry's dict with the people in its sources and verification replaced."""
        if self.reveal:
            return data
        out = dict(data)
        if out.get("verified_by") is not None:
            out["verified_by"] = self.verifier(out["verified_by"])
        provenance = out.get("field_provenance")
        if isinstance(provenance, dict):
            out["field_provenance"] = {
                key: {**value, "by": self.person(value.get("by"))} if isinstance(value, dict) else value
                for key, value in provenance.items()
            }
        return out

    def changes(self, changes: dict[str, Any]) -> dict[str, Any]:
        """A revision's changes with a changed `verified_by` shown the public way."""
        pair = changes.get("verified_by")
        if self.reveal or not isinstance(pair, list | tuple) or len(pair) != 2:
            return changes
        return {**changes, "verified_by": [self.verifier(pair[0]), self.verifier(pair[1])]}

    def revision(self, row: Any) -> RevisionView:
        """A revision (ORM row or anything with its attributes) with the people replaced."""
        return RevisionView(
            version=row.version,
            kind=row.kind,
            changed_by=self.person(row.changed_by) or "",
            changed_at=row.changed_at,
            changes=self.changes(row.changes or {}),
            snapshot=self.entry(row.snapshot or {}),
            note=row.note,
        )
