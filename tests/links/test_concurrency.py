"""Two saves racing on one link: exactly one wins, the other is refused with 410."""

from __future__ import annotations

import threading

import pytest

from portal.core.errors import ServiceError
from portal.core.models import Region
from portal.customers.models import Address
from portal.extensions import db
from portal.links.services import issue_link, resolve_link, save_address


@pytest.mark.postgres_only
def test_concurrent_saves_use_link_once(committing_app, make_merchant, make_customer):
    """Both requests pass resolve_link; the atomic use-up lets only one of them commit."""
    customer = make_customer(make_merchant())
    region = Region(province="P", city="C", district="Race", country_code="BD", postal_prefix="12")
    db.session.add(region)
    db.session.commit()
    issued = issue_link(customer, "shipping", actor="t")
    db.session.commit()
    code, region_id = issued.code, region.id
    barrier = threading.Barrier(2)
    results: list[str] = []

    def save(line1: str) -> None:
        with committing_app.app_context():
            link = resolve_link(code)
            barrier.wait()
            try:
                save_address(
                    link,
                    {"line1": line1, "region_id": region_id, "postal_code": "1212"},
                    actor="t",
                )
                db.session.commit()
                results.append("saved")
            except ServiceError as exc:
                db.session.rollback()
                results.append(f"refused:{exc.status}")

    threads = [threading.Thread(target=save, args=(f"Street {i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["refused:410", "saved"]
    assert db.session.query(Address).filter_by(customer_id=customer.id).count() == 1
