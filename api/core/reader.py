"""What every read goes through: the principal's view of the graph, the store (for stored
documents such as history and plans) and the audit trail of the people's names shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.store import GraphStore

from api.core import audit
from api.core.scope import ScopedGraph
from api.core.security.principal import Principal


@dataclass
class Reader:
    """What every read needs: the principal's view of the graph, the store (for stored
    documents such as history and plans), and the audit trail of names shown."""

    scoped: ScopedGraph
    principal: Principal
    store: GraphStore
    where: str

    def shown(self, obj: Any) -> Any:
        """Audit the people whose names ``obj`` shows (if the view has names); returns ``obj``."""
        if self.scoped.personal:
            self.saw(self.scoped.people_in(obj))
        return obj

    def saw(self, people: list[str]) -> None:
        """Audit that the names of ``people`` were shown (nothing if the view has no names)."""
        if self.scoped.personal:
            audit.record_people(self.store, self.principal, self.where, people)
