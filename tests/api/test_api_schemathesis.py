"""schemathesis against the app's own OpenAPI document, sent to a real server: no 5xx,
every response matches its documented schema, status code and content type, and calls
without a token are rejected (``ignored_auth`` repeats each call without credentials).

The schema is read from ``create_app().openapi()`` at collection time (it needs no store),
so each operation is its own test; ``from_fixture`` does not work with pytest 9.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from api.http.app import create_app

schema = schemathesis.openapi.from_dict(create_app().openapi())

CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.ignored_auth,
]


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, sandbox):
    case.call_and_validate(base_url=sandbox.url, headers={"Authorization": f"Bearer {sandbox.tokens['admin']}"}, checks=CHECKS)
