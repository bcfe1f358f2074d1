"""The OpenAPI document: valid 3.1, covering every route, and schemathesis against it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from openapi_spec_validator import validate

from portal.jobs.runner import wait_for_threads
from tests.support.live import LiveServer

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def test_openapi_document_is_valid(client):
    """GET /api/openapi.json is a valid OpenAPI 3.1 document."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"] == "3.1.0"
    validate(response.json)


def test_openapi_describes_every_api_route(app, client):
    """Every API route (and method) of the app appears in the document."""
    document = client.get("/api/openapi.json").json
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/", "/partner/api/", "/v1/")):
            continue
        if rule.rule == "/api/openapi.json":
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        for name in rule.arguments:
            path = path.replace(
                "{" + name + "}", "{customer_id}" if "ident" in name else "{" + name + "}"
            )
        for method in rule.methods & HTTP_METHODS:
            assert (path, method) in documented, f"{method} {path} is not documented"


def test_schemathesis_finds_no_server_errors_or_schema_violations(
    committing_app, make_merchant, make_customer, make_partner, make_token, tmp_path: Path
):
    """schemathesis, with a SYSTEM token, against the app served on 127.0.0.1."""
    merchant = make_merchant(country_code="BD", email="owner@example.test")
    for _ in range(3):
        make_customer(merchant)
    make_customer(merchant, confirmed=False)
    token = make_token(merchant, "SYSTEM", partner=make_partner(merchant))
    # Deliveries to the random URLs schemathesis registers run in threads, once, quickly.
    committing_app.config.update(
        JOBS_INLINE=False, WEBHOOK_MAX_ATTEMPTS=1, WEBHOOK_TIMEOUT_SECONDS=0.5
    )
    report = tmp_path / "st.json"
    with LiveServer(committing_app) as server:
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                f"{server.url}/api/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,"
                "response_schema_conformance,negative_data_rejection",
                "--max-examples",
                "15",
                "--phases",
                "examples,coverage,fuzzing",
                "--workers",
                "1",
                "--seed",
                "20261123",
                "--no-shrink",
                "--suppress-health-check",
                "all",
                "--request-timeout",
                "10",
                "--report",
                "json",
                "--report-json-path",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=220,
            check=False,
        )
        with committing_app.app_context():
            wait_for_threads(timeout=5)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    if report.exists():
        assert json.loads(report.read_text()) is not None
