from fastapi import APIRouter

from api.http.deps import ReaderDep
from api.http.errors import error_responses
from api.core.services.entities import health_counts
from api.core.services.models import Health

router = APIRouter(prefix="/api/health", tags=["health"], responses=error_responses(401))


@router.get("", response_model=Health, summary="Store kind, version and counts")
def health(reader: ReaderDep) -> dict:
    """Node counts are those the token can see (its chains only, if it is scoped)."""
    return {"status": "ok", "store": reader.store.kind, "version": reader.scoped.version, "counts": health_counts(reader.scoped)}
