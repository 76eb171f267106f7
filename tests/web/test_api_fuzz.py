"""The API fuzzed from its own OpenAPI document with schemathesis: whatever the generated paths, queries and
bodies, no answer is a server error, with a write token and without one.

Schemathesis' pytest plugin does not run under this pytest, so each operation's hypothesis strategy is
drawn from directly.
"""

import schemathesis
from hypothesis import HealthCheck, given, settings

from tenants.api_tokens import create_token
from tenants.db import db
from tenants.scoping import Scope, scoped
from tenants.users import User
from tests.factories import make_world

EXAMPLES = 60  # per operation


def _write_token(app, world) -> str:
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        owner = db.session.get(User, world.user_ids["owner"])
        _, raw = create_token(db.session, owner, name="fuzz", scope="write")
        db.session.commit()
    return raw


def test_no_generated_request_gets_a_server_error(app):
    world = make_world(app, "fuzz")
    token = _write_token(app, world)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    calls = 0

    for operation in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def fuzz(case):
            nonlocal calls
            for headers in ({"Authorization": f"Bearer {token}"}, {}):
                response = case.call(headers=headers)
                calls += 1
                assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
                assert response.status_code in (200, 201) or "json" in str(response.headers), response.headers

        fuzz()
    assert calls >= len(operations) * 2
