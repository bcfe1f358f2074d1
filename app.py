"""Entry point for `flask --app app ...` and WSGI servers."""

from portal import create_app

app = create_app()
