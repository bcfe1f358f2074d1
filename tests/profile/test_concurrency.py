"""Two tabs saving the same profile at the same moment: one save wins, one is refused."""

from __future__ import annotations

import threading

import pytest

from portal.customers.models import Customer
from portal.customers.profile_form import submit_profile
from portal.extensions import db


@pytest.mark.postgres_only
def test_simultaneous_saves_refuse_one(committing_app, make_merchant, make_customer):
    """Both read version v; the version column lets only one commit, the other gets a message."""
    customer = make_customer(make_merchant(), first_name="Rina")
    customer_id, version = customer.id, customer.version
    barrier = threading.Barrier(2)
    outcomes: list[tuple[str, object]] = []

    def save(name: str) -> None:
        with committing_app.app_context():
            mine = db.session.get(Customer, customer_id)
            barrier.wait()
            result = submit_profile(
                mine, {"first_name": name, "version": version}, actor=name, language="en"
            )
            if result.has_errors:
                db.session.rollback()
                outcomes.append(("refused", result.errors))
            else:
                db.session.commit()
                outcomes.append(("saved", name))

    threads = [threading.Thread(target=save, args=(name,)) for name in ("Tab one", "Tab two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["refused", "saved"], outcomes
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert "Someone else saved" in str(refused)
    winner = next(detail for kind, detail in outcomes if kind == "saved")
    db.session.expire_all()
    saved = db.session.get(Customer, customer_id)
    assert saved.first_name == winner and saved.version == version + 1
