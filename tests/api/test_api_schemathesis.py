"""schemathesis against the app's own OpenAPI document, sent to a real server, with every
check schemathesis has for single calls: no 5xx; every response matches its documented
schema, status code, content type and headers; schema-valid requests are accepted (2xx, or
404/409 for an id that does not exist or a state that conflicts, or 422 only for the
reasons in ``REFUSED_BY_CONTENT``) and schema-invalid ones are refused with a 4xx; undocumented methods answer 405 with an ``Allow`` header; calls
without a token are rejected (``ignored_auth`` repeats each call without credentials).

Every phase runs: the schema's examples, ``coverage`` (boundary values and one deliberate
violation of each constraint), a fixed number of derandomized generated cases, and
stateful sequences along the links schemathesis infers between operations.

The schema is read from ``create_app().openapi()`` at collection time (it needs no store),
so each operation is its own test; ``from_fixture`` does not work with pytest 9.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import PositiveDataAcceptanceConfig, SchemathesisConfig

from api.http.app import create_app

# Refusals of schema-valid requests that JSON Schema cannot rule out, each with its own
# reason code: an upload whose contents are not a register, a plan the data cannot satisfy
# (e.g. instructors whose own capacity is below `minimum`), and /api/changes given two
# starting points at once (`since` and `from`: JSON Schema cannot say two query
# parameters exclude each other).
REFUSED_BY_CONTENT = {
    ("POST", "/api/imports"): "import_failed",
    **{("POST", f"/api/plans/{kind}"): "plan_infeasible" for kind in ("contacts", "instructors", "pairings", "joint-branches")},
    ("GET", "/api/changes"): "bad_request",
}

config = SchemathesisConfig.from_dict({"operations": [
    {"include-method": method, "include-path": path,
     "checks": {"positive_data_acceptance": {"expected-statuses": [*PositiveDataAcceptanceConfig().expected_statuses, "422"]}}}
    for method, path in REFUSED_BY_CONTENT
]})
schema = schemathesis.openapi.from_dict(create_app().openapi(), config=config)
# Spreadsheets are bytes like any file (schemathesis knows no serializer for them by name).
schemathesis.serializer.alias(["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               "application/vnd.ms-excel"], "application/octet-stream")


@schemathesis.check
def refused_only_for_its_content(ctx, response, case):
    """A schema-valid request answered 422 is one of ``REFUSED_BY_CONTENT``, for that reason."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return None
    code = response.json()["error"]["code"]
    expected = REFUSED_BY_CONTENT.get((case.method.upper(), case.path))
    assert code == expected, f"a schema-valid request was refused with 422 {code}"
    return True


def _as_admin(sandbox) -> dict:
    return {"base_url": sandbox.url, "headers": {"Authorization": f"Bearer {sandbox.tokens['admin']}"}}


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, sandbox):
    case.call_and_validate(**_as_admin(sandbox))


def test_api_workflows_conform_to_its_schema(sandbox):
    """The stateful phase: ids taken from one answer (a list's items) and sent to the
    operations that take them, e.g. an enterprise listed, then read, then removed."""

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return _as_admin(sandbox)

    Workflow.run(settings=settings(max_examples=20, stateful_step_count=6, deadline=None, derandomize=True,
                                   suppress_health_check=list(HealthCheck)))
