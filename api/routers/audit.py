from fastapi import APIRouter

from api import audit
from api.deps import AuditorDep, StoreDep
from api.errors import ERROR_RESPONSES
from api.services.models import AuditEntry, Page
from api.services.pagination import PageDep, paginate

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[AuditEntry], summary="The audit log, oldest first (admin without chain scope)")
def audit_log(admin: AuditorDep, store: StoreDep, page: PageDep) -> dict:
    found = audit.keyed_entries(store)
    keys, meta = paginate(sorted(found), page)
    return {"items": [found[k] for k in keys], **meta}
