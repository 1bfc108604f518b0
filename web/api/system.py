"""Health and vocabularies: what monitoring and clients need besides entries."""

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from directory.models import VOCABULARIES, TaxonomyTerm
from directory.schemas import TaxonomyTermRead
from web.accounts.current import current_user


@get("/health", summary="Is the app up and the database reachable?", sync_to_thread=True, tags=["system"])
def health(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Response[dict[str, Any]]:
    """200 when the database and PostGIS answer (503 when not); their versions for admins only.

    Exact versions tell an attacker which published holes to try, and monitoring needs none.
    """
    row = db.execute(text("SELECT version(), postgis_lib_version()")).one()
    user = current_user(request)
    if user is None or not user.has_role("admin"):
        return Response({"status": "ok"})
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
