"""axe-core for the browser tests, fetched from the npm registry once and checked.

Why not vendored: it is a test tool, not part of the portal; the registry is reachable
where the tests run. The tarball is pinned by version and by the registry's sha512
integrity, kept under .cache/ (git-ignored), and only its axe.min.js is read.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import urllib.request
from functools import lru_cache
from pathlib import Path

from playwright.sync_api import Page

VERSION = "4.14.1"
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPj"
    "CKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
CACHE = Path(__file__).resolve().parents[2] / ".cache" / f"axe-core-{VERSION}.tgz"
TIMEOUT_S = 60


def _integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _tarball() -> bytes:
    """The pinned tarball, from the cache or the registry, refused if its hash differs."""
    if CACHE.exists():
        data = CACHE.read_bytes()
        if _integrity_of(data) == INTEGRITY:
            return data
    with urllib.request.urlopen(URL, timeout=TIMEOUT_S) as response:
        data = response.read()
    if _integrity_of(data) != INTEGRITY:
        raise RuntimeError(f"axe-core {VERSION} from {URL} does not match its integrity hash")
    CACHE.parent.mkdir(exist_ok=True)
    CACHE.write_bytes(data)
    return data


@lru_cache(maxsize=1)
def axe_source() -> str:
    """The text of axe.min.js, to evaluate in a page."""
    with tarfile.open(fileobj=io.BytesIO(_tarball()), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        if member is None:  # pragma: no cover - the pinned tarball has it
            raise RuntimeError("axe.min.js is missing from the axe-core tarball")
        return member.read().decode("utf-8")


# What a run reports: each violation's rule, impact, how many nodes and the first target.
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.length,
    target: v.nodes.length ? String(v.nodes[0].target) : "", help: v.help,
  }));
}"""
BLOCKING = ("serious", "critical")


def serious_violations(page: Page) -> list[dict[str, object]]:
    """axe's serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found: list[dict[str, object]] = page.evaluate(RUN)
    return [v for v in found if v["impact"] in BLOCKING]
