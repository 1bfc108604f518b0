"""The demo data shipped with wijkgram, so a fresh clone shows something real.

`entries.json` holds hand-written entries at real public places (see its
`about`). Loading is idempotent: entries are matched on
`source = 'demo'` and their key, and a second load changes nothing.

Each entry says how many days before loading it was last verified
(`verified_days_ago`), so a fresh demo looks like a directory in use: most
entries checked in the last months, a few longer ago than
`WIJKGRAM_STALE_AFTER_MONTHS` (they show the stale warning and the stale list).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import ENTITY_MODELS
from directory.schemas import LocationCreate, OrganizationCreate, ServiceCreate
from directory.services.entries import Actor, EntryService

DEMO_DIR = Path(__file__).resolve().parent
DEMO_SOURCE = "demo"
_CREATE: dict[str, type[BaseModel]] = {
    "organization": OrganizationCreate,
    "location": LocationCreate,
    "service": ServiceCreate,
}


def _existing(session: Session, kind: str, key: str) -> Any:
    model = ENTITY_MODELS[kind]
    return session.scalar(select(model).where(model.source == DEMO_SOURCE, model.source_id == key))


def load_demo(session: Session, progress: Console | None = None) -> dict[str, int]:
    """Create the demo entries that are missing; return counts of created and kept."""
    data = json.loads((DEMO_DIR / "entries.json").read_text(encoding="utf-8"))
    service = EntryService(session, Actor("demo", source=DEMO_SOURCE))
    ids: dict[tuple[str, str], uuid.UUID] = {}
    counts = {"created": 0, "unchanged": 0}
    today = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    for kind, plural in (
        ("organization", "organizations"),
        ("location", "locations"),
        ("service", "services"),
    ):
        for raw in data[plural]:
            record = dict(raw)
            key = record.pop("key")
            days = record.pop("verified_days_ago", None)
            if days is not None:
                record["last_verified_at"] = (today - timedelta(days=int(days))).isoformat()
            org_key = record.pop("organization", None)
            if org_key:
                record["organization_id"] = str(ids[("organization", org_key)])
            location_keys = record.pop("locations", None)
            if location_keys:
                record["location_ids"] = [str(ids[("location", k)]) for k in location_keys]
            found = _existing(session, kind, key)
            if found is not None:
                ids[(kind, key)] = found.id
                counts["unchanged"] += 1
                continue
            record.update(source=DEMO_SOURCE, source_id=key)
            entry = service.create(kind, _CREATE[kind].model_validate(record))
            ids[(kind, key)] = entry.id
            counts["created"] += 1
    if progress is not None:
        progress.print(f"demo entries: {counts['created']} created, {counts['unchanged']} already there")
    return counts
