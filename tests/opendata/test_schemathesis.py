"""Schemathesis over the app's OpenAPI schema: no server errors, answers match the schema.

Every operation of ``/openapi.json`` (65: portal pages, native API v1, CKAN routes, uploads, data
requests, tokens, and the products' APIs: dashboards, models, simulations, assistant) gets a small, derandomized set of generated requests through ASGI against the
real app. Each generated request is sent twice: with a steward's API token (so authenticated paths
run) and anonymously. The app works on a copy of the session's tiny platform, so generated POSTs
(uploads, token revocations, data requests) cannot disturb the other tests' users and tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from tests.testkit import bearer, copy_platform, platform_env

from treasury.web.app import create_app

#: Per operation; two requests (steward, anonymous) per example.
MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture(scope="module")
def steward_headers(tmp_path_factory: pytest.TempPathFactory, platform_home: Path) -> Iterator[Any]:
    """Point the environment at a copy of the platform for the module; yield a steward token."""
    from treasury.access import create_token
    from treasury.config import get_settings
    from treasury.db.session import session_scope

    home = copy_platform(platform_home, tmp_path_factory.mktemp("schemathesis") / "home")
    with platform_env(home):
        with session_scope(get_settings().app_database_url) as session:
            token, _ = create_token(session, "steward", days=None)
        yield bearer(token)


#: The real app; it reads its settings per request, so the schema can load before the platform.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: Any, steward_headers: dict[str, str]) -> None:
    """A steward's and an anonymous request of each generated case: no 5xx, schema-conformant."""
    case.call_and_validate(headers=steward_headers, checks=CHECKS)
    case.call_and_validate(checks=CHECKS)
