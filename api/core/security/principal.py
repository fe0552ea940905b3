"""Roles and the principal a request acts as."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    """``viewer`` reads; ``editor`` also writes (imports, plans); ``admin`` also reads the audit log."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}
ROLE_ZH = {Role.VIEWER: "查看", Role.EDITOR: "编辑", Role.ADMIN: "管理"}


@dataclass(frozen=True)
class Principal:
    """Whoever a request acts as.

    ``subject`` names the credential (``token:<id>``, ``session:<id>``, ``cli``); ``chains``
    is None for a principal that sees every chain, else the chain ids it is scoped to.
    """

    subject: str
    role: Role
    chains: frozenset[str] | None = None

    def allows(self, role: Role) -> bool:
        """Whether this principal's role is ``role`` or above."""
        return self.role.rank >= role.rank

    @property
    def sees_personal(self) -> bool:
        """Names of people (leaders, instructors) are shown to editors and admins only."""
        return self.allows(Role.EDITOR)

    @property
    def scoped(self) -> bool:
        return self.chains is not None

    def describe(self) -> dict:
        """The principal as an audit entry records it."""
        return {"subject": self.subject, "role": self.role.value, "chains": sorted(self.chains) if self.chains is not None else None}


CLI = Principal("cli", Role.ADMIN)
