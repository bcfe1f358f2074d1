"""The only place that reads HX-* headers: page or partial, redirects, and Vary."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, redirect, render_template, request


def is_htmx() -> bool:
    """True for an htmx request that is not a history restore (those want the full page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def htmx_target() -> str | None:
    return request.headers.get("HX-Target") if is_htmx() else None


def render_page_or_partial(
    page: str, partial: str, *, status: int = 200, **context: Any
) -> Response:
    """Render the full page, or only its partial for htmx; the answer varies on HX-Request."""
    template = partial if is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.headers.add("Vary", "HX-Request")
    return response


def redirect_after_post(url: str) -> Response:
    """303 for plain forms; for htmx an HX-Redirect so the whole page follows."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def hx_trigger(response: Response, event: str) -> Response:
    response.headers["HX-Trigger"] = event
    return response
