from fastapi import APIRouter

from api.core import audit
from api.http.deps import AuditorDep, StoreDep
from api.http.errors import error_responses
from api.core.services.models import AuditEntry, Page
from api.core.pagination import paginate
from api.http.pagination import PageDep

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=error_responses(401, 403, 422))


@router.get("", response_model=Page[AuditEntry], summary="The audit log, oldest first (admin without chain scope)")
def audit_log(admin: AuditorDep, store: StoreDep, page: PageDep) -> dict:
    found = audit.keyed_entries(store)
    keys, meta = paginate(sorted(found), page)
    return {"items": [found[k] for k in keys], **meta}
