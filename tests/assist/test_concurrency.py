"""Two assistants registering the same walk-in phone at the same moment."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, or_, select

from portal.assist import services
from portal.core.errors import ServiceError
from portal.customers.models import Customer
from portal.extensions import db
from portal.staff.models import Role, StaffUser
from tests.support.factories import unique_phone


@pytest.mark.postgres_only
def test_simultaneous_registrations_of_one_phone_make_one_customer(
    committing_app, shop, make_staff, shopper_data
):
    """Whoever loses the race is told the phone is taken or reuses the winner's record."""
    assistants = [make_staff(shop, role=Role.ASSISTANT).id for _ in range(2)]
    phone = unique_phone("BD")
    barrier = threading.Barrier(len(assistants))
    outcomes: list[Any] = []

    def register(staff_id: int) -> None:
        with committing_app.app_context():
            assistant = db.session.get(StaffUser, staff_id)
            barrier.wait()
            try:
                result = services.register_shopper(assistant, shopper_data(phone=phone))
                db.session.commit()
                outcomes.append(result.outcome)
            except ServiceError as err:
                db.session.rollback()
                outcomes.append(err.code)

    threads = [threading.Thread(target=register, args=(sid,)) for sid in assistants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    count = db.session.scalar(
        select(func.count(Customer.id)).where(
            Customer.merchant_id == shop.id,
            or_(Customer.phone == phone, Customer.unconfirmed_phone == phone),
        )
    )
    assert count == 1
    assert services.Outcome.CREATED in outcomes and len(outcomes) == 2
    assert set(outcomes) <= {services.Outcome.CREATED, services.Outcome.REUSED, "phone_taken"}
