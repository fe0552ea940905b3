"""Pages of id-sorted lists, by offset or by cursor.

A cursor is the last id of the previous page (base64url, so it is opaque and safe in a
URL); the next page starts after it, so it stays right while items are added elsewhere.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_right
from dataclasses import dataclass

from api.core.errors import InvalidRequest
from api.core.settings import DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class PageParams:
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0
    cursor: str | None = None


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The id a cursor starts after. Any base64url text is a place in the id order (bytes
    that are not UTF-8 read as U+FFFD), so only text that is not base64url is refused."""
    try:
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode(errors="replace")
    except (binascii.Error, ValueError):
        raise InvalidRequest("invalid_cursor", "cursor 无效：请使用上一页返回的 next_cursor") from None


def paginate(ids: list[str], page: PageParams) -> tuple[list[str], dict]:
    """The ids of one page of sorted ``ids`` and the page's fields (total, offset, …)."""
    start = bisect_right(ids, decode_cursor(page.cursor)) if page.cursor is not None else page.offset
    chosen = ids[start : start + page.limit]
    more = start + page.limit < len(ids)
    return chosen, {
        "total": len(ids),
        "limit": page.limit,
        "offset": start,
        "next_cursor": encode_cursor(chosen[-1]) if more and chosen else None,
    }
