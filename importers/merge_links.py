"""Source links of many new entries in one statement, for the bulk path of the merge step.

The ORM inserted links one object at a time (with a `RETURNING` per batch that
psycopg had to parse anew for every batch size): a tenth of a first import.
Here one `INSERT ... SELECT` takes a batch's links as one JSON array and returns
their ids; the merge step loads a link from its id only if it needs the object.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import text
from sqlalchemy.orm import Session

INSERT_LINKS_SQL = text(
    """
    INSERT INTO source_link (entity_type, entity_id, source, source_id, scope, fetched_at,
        last_seen_run, missing_since, raw)
    SELECT r.entity_type, r.entity_id, :source, r.source_id, :scope, :fetched_at, :run, NULL, r.raw
    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
        AS r(entity_type text, entity_id uuid, source_id text, raw jsonb)
    RETURNING id, entity_type, source_id
    """
)


@dataclass(frozen=True)
class NewLink:
    """A link to write: which entry, its id in the source and the source's raw data."""

    entity_type: str
    entity_id: uuid.UUID
    source_id: str
    raw: dict[str, Any]


def insert_links(
    session: Session, links: Sequence[NewLink], *, source: str, scope: str, fetched_at: datetime, run: str
) -> list[int]:
    """Insert the links seen in run `run`; return their ids, in order.

    No mapped objects are made for them (that cost as much as the insert): the merge step
    loads a link by its id in the rare case that it meets the same record again in a run.
    """
    if not links:
        return []
    session.flush()
    rows = [
        {"entity_type": k.entity_type, "entity_id": str(k.entity_id), "source_id": k.source_id, "raw": k.raw}
        for k in links
    ]
    result = session.execute(
        INSERT_LINKS_SQL,
        {
            "rows": msgspec.json.encode(rows).decode(),
            "source": source,
            "scope": scope,
            "fetched_at": fetched_at,
            "run": run,
        },
    )
    ids = {(entity_type, source_id): link_id for link_id, entity_type, source_id in result}
    return [ids[(k.entity_type, k.source_id)] for k in links]
