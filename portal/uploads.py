"""Body limits for the requests that carry a file.

Why: the app refuses bodies over MAX_CONTENT_LENGTH (1 MB) with a 413; the import forms
and endpoints take files up to their own bound (20 MB of customers, 2 MB of orders).
The larger limit is set for that endpoint only, before anything reads the body (a
url_value_preprocessor runs ahead of the CSRF check's before_request); the form's own
fields travel beside the file, hence the slack.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

UPLOAD_SLACK = 64 * 1024


def allow_upload(bp: Blueprint, endpoint: str, max_bytes: int) -> None:
    """Let requests to `endpoint` of `bp` carry a file of up to `max_bytes`."""

    def allow(seen: str | None, values: dict[str, Any] | None) -> None:
        if seen == endpoint:
            request.max_content_length = max_bytes + UPLOAD_SLACK

    bp.url_value_preprocessor(allow)
