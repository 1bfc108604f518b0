"""Health and vocabularies: what monitoring and clients need besides entries."""

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.orm import Session

from directory.db.health import database_versions
from directory.models import VOCABULARIES
from directory.schemas import TaxonomyTermRead
from directory.services.taxonomy import taxonomy_terms
from web.accounts.current import current_user
from web.dependencies import READS_ONLY


@get("/health", summary="Is the app up and the database reachable?", sync_to_thread=True, tags=["system"])
def health(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Response[dict[str, Any]]:
    """200 when the database and PostGIS answer (503 when not); their versions for admins only.

    Exact versions tell an attacker which published holes to try, and monitoring needs none.
    """
    database, postgis = database_versions(db)
    user = current_user(request)
    if user is None or not user.has_role("admin"):
        return Response({"status": "ok"})
    return Response({"status": "ok", "database": database, "postgis": postgis})


@get(
    "/api/v1/taxonomy",
    summary="Vocabulary terms with Dutch and English labels",
    sync_to_thread=True,
    opt=READS_ONLY,
    tags=["system"],
)
def taxonomy(
    db: NamedDependency[Session],
    vocabulary: Annotated[str | None, QueryParameter(description=f"one of {', '.join(VOCABULARIES)}")] = None,
) -> list[TaxonomyTermRead]:
    """The categories, support functions and target groups entries may use."""
    return [TaxonomyTermRead.model_validate(t) for t in taxonomy_terms(db, vocabulary)]
