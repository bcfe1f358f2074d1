"""The ceiling: a bare Flask page showing 25 customers, for `wrk` comparisons."""

from __future__ import annotations

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

URL = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
engine = create_engine(URL, pool_pre_ping=True)
app = Flask(__name__)
PAGE = """<!doctype html><title>Customers</title><table>
{% for r in rows %}<tr><td>{{ r.full_name }}</td><td>{{ r.phone }}</td><td>{{ r.email }}</td>
<td>{{ r.created_at }}</td></tr>{% endfor %}</table>"""
QUERY = text(
    "SELECT id, full_name, phone, email, created_at FROM customers WHERE merchant_id = 1 "
    "ORDER BY created_at DESC, id DESC LIMIT 25"
)


@app.get("/")
def page() -> str:
    with engine.connect() as conn:
        rows = conn.execute(QUERY).all()
    return render_template_string(PAGE, rows=rows)
