"""Health and vocabularies: what monitoring and clients need besides entries."""

from typing import Annotated, Any

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from directory.models import VOCABULARIES, TaxonomyTerm
from directory.schemas import TaxonomyTermRead


@get("/health", summary="Is the app up and the database reachable?", sync_to_thread=True, tags=["system"])
def health(db: NamedDependency[Session]) -> Response[dict[str, Any]]:
    """200 with the database and PostGIS versions, or 503 when the database does not answer."""
    row = db.execute(text("SELECT version(), postgis_lib_version()")).one()
    return Response({"status": "ok", "database": row[0].split(",")[0], "postgis": row[1]})


@get(
    "/api/v1/taxonomy",
    summary="Vocabulary terms with Dutch and English labels",
    sync_to_thread=True,
    tags=["system"],
)
def taxonomy(
    db: NamedDependency[Session],
    vocabulary: Annotated[str | None, QueryParameter(description=f"one of {', '.join(VOCABULARIES)}")] = None,
) -> list[TaxonomyTermRead]:
    """The categories, support functions and target groups entries may use."""
    stmt = select(TaxonomyTerm).order_by(TaxonomyTerm.vocabulary, TaxonomyTerm.sort_order)
    if vocabulary:
        stmt = stmt.where(TaxonomyTerm.vocabulary == vocabulary)
    return [TaxonomyTermRead.model_validate(t) for t in db.scalars(stmt)]
