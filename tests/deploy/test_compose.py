"""deploy/compose.yaml and deploy/env.example: the stack's services are there, and every
setting they give the portal is one the portal actually reads (a misspelt name would be
ignored in silence)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.config import COUNT_SETTINGS, LIMIT_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = {"postgres", "redis", "migrate", "web", "worker", "cron"}
PORTAL_SERVICES = ("migrate", "web", "worker", "cron")
# How each reader names a variable: config.py through its env mapping and helpers,
# gunicorn.conf.py through os.environ and _int, entrypoint.sh as $NAME or ${NAME...}.
READS = {
    ROOT / "portal" / "config.py": r'env(?:\.get\(|\[)"([A-Z0-9_]+)"|\(env, "([A-Z0-9_]+)"',
    ROOT / "gunicorn.conf.py": r'os\.environ\.get\("([A-Z0-9_]+)"|_int\(["\']([A-Z0-9_]+)["\']',
    DEPLOY / "entrypoint.sh": r'\$\{?([A-Z][A-Z0-9_]+)|os\.environ\.get\("([A-Z0-9_]+)"',
}


def _names_read() -> set[str]:
    names = set(LIMIT_SETTINGS) | set(COUNT_SETTINGS)
    for path, pattern in READS.items():
        for match in re.finditer(pattern, path.read_text()):
            names.update(group for group in match.groups() if group)
    return names


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _env_example() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {name.strip(): value for name, value in pairs}


def test_compose_names_the_stack_services(compose: dict[str, Any]) -> None:
    """Two web instances, a worker, cron, a one-shot migrate, PostgreSQL 15 and Redis 7."""
    services = compose["services"]
    assert set(services) == SERVICES
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["migrate"]["restart"] == "no"
    for name in PORTAL_SERVICES:
        assert services[name]["command"] == [name]
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"


def test_web_health_is_checked_on_readyz(compose: dict[str, Any]) -> None:
    """The web containers count as healthy only when /readyz answers."""
    check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "/readyz" in check


def test_services_wait_for_the_migration(compose: dict[str, Any]) -> None:
    """web, worker and cron start once migrate has finished successfully."""
    for name in ("web", "worker", "cron"):
        waits_for = compose["services"][name]["depends_on"]["migrate"]
        assert waits_for["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("service", PORTAL_SERVICES)
def test_compose_sets_only_settings_the_portal_reads(compose: dict[str, Any], service: str) -> None:
    """Each variable compose gives a portal process is read by config, gunicorn or the script."""
    given = set(compose["services"][service].get("environment", {}))
    assert given - _names_read() == set()


def test_env_example_holds_only_settings_that_are_read() -> None:
    """env.example names settings the portal reads, or that compose.yaml fills in with."""
    used_by_compose = set(re.findall(r"\$\{([A-Z0-9_]+)", (DEPLOY / "compose.yaml").read_text()))
    assert set(_env_example()) - _names_read() - used_by_compose == set()


def test_env_example_covers_what_production_requires() -> None:
    """The settings production refuses to start without are all in the example."""
    required = {"PORTAL_ENV", "SECRET_KEY", "BASE_URL", "SMS_BACKEND", "SMS_GATEWAY_URL"}
    example = _env_example()
    assert required <= set(example)
    assert example["PORTAL_ENV"] == "production"
