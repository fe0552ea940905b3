"""The page parameters of every list endpoint, read from the query string."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from api.core.pagination import PageParams
from api.core.settings import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

# base64url without padding: what ``encode_cursor`` writes, and all ``decode_cursor`` needs.
CURSOR_PATTERN = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$"


async def page_params(  # async: no worker thread for reading three numbers
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (at most {MAX_PAGE_SIZE}).")] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many items (ignored with `cursor`).")] = 0,
    cursor: Annotated[str | None, Query(max_length=400, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page.")] = None,
) -> PageParams:
    return PageParams(limit, offset, cursor)


PageDep = Annotated[PageParams, Depends(page_params)]
