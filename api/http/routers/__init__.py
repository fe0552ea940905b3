"""One router per resource; ``ROUTERS`` is the order the app mounts them in."""

from api.http.routers import (
    alliances,
    audit,
    chains,
    coverage,
    enterprises,
    exports,
    gaps,
    health,
    history,
    imports,
    instructors,
    leaders,
    neighbourhood,
    party_orgs,
    plans,
    units,
)

ROUTERS = [
    health.router,
    enterprises.router,
    party_orgs.router,
    chains.router,
    units.router,
    leaders.router,
    instructors.router,
    alliances.router,
    neighbourhood.router,
    coverage.router,
    gaps.router,
    history.router,
    plans.router,
    imports.router,
    exports.router,
    audit.router,
]
