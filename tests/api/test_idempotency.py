"""`Idempotency-Key` on POST /v1/customers and POST /api/open/customer/create."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core import idempotency
from portal.core.idempotency import IdempotencyKey
from portal.core.time import utcnow
from portal.customers.models import Customer
from portal.extensions import db
from portal.otp.models import OtpSend
from tests.api.helpers import auth
from tests.support.database import wait_until_a_lock_waits

V1 = "/v1/customers"
OPEN = "/api/open/customer/create"


def _customers(merchant) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.merchant_id == merchant.id)
    )


def _sends() -> int:
    return db.session.scalar(select(func.count()).select_from(OtpSend))


def _post(client, token, path, body, key):
    headers = {**auth(token), "Idempotency-Key": key}
    return client.post(path, json=body, headers=headers)


@pytest.fixture
def shop(make_merchant, make_token):
    merchant = make_merchant(country_code="US")
    return merchant, make_token(merchant)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_sends_nothing(client, shop):
    merchant, token = shop
    body = {"phone_number": "+12025550160", "first_name": "Ada"}
    first = _post(client, token, V1, body, "retry-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    sends = _sends()
    again = _post(client, token, V1, body, "retry-1")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert _customers(merchant) == 1
    assert _sends() == sends


def test_the_same_key_with_another_body_is_422_and_writes_nothing(client, shop):
    merchant, token = shop
    _post(client, token, V1, {"phone_number": "+12025550161"}, "k-2")
    other = _post(client, token, V1, {"phone_number": "+12025550162"}, "k-2")
    assert other.status_code == 422
    assert other.json["code"] == "idempotency_key_reused"
    assert other.json["field"] == "Idempotency-Key"
    assert _customers(merchant) == 1


def test_the_same_key_on_another_endpoint_is_422(client, shop):
    _merchant, token = shop
    _post(client, token, V1, {"phone_number": "+12025550163"}, "k-3")
    other = _post(client, token, OPEN, {"phone_number": "+12025550163"}, "k-3")
    assert other.status_code == 422
    assert other.json["code"] == "idempotency_key_reused"


def test_without_the_header_every_request_runs(client, shop):
    merchant, token = shop
    for phone in ("+12025550164", "+12025550165"):
        response = client.post(V1, json={"phone_number": phone}, headers=auth(token))
        assert response.status_code == 201
    assert _customers(merchant) == 2
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_a_refused_first_request_keeps_no_key_so_a_fixed_retry_runs(client, shop):
    merchant, token = shop
    bad = _post(client, token, V1, {"first_name": "No phone"}, "k-4")
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    again = _post(client, token, V1, {"first_name": "No phone"}, "k-4")
    assert again.status_code == 422
    assert "Idempotent-Replayed" not in again.headers
    assert _customers(merchant) == 0


def test_keys_belong_to_their_merchant(client, shop, make_merchant, make_token):
    merchant, token = shop
    other = make_merchant(country_code="US")
    body = {"phone_number": "+12025550166"}
    assert _post(client, token, V1, body, "shared").status_code == 201
    theirs = _post(client, make_token(other), V1, body, "shared")
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert _customers(other) == 1
    assert _customers(merchant) == 1


def test_the_open_create_replays_too(client, make_merchant, make_token):
    merchant = make_merchant(country_code="ID")
    token = make_token(merchant)
    body = {"name": "Budi", "phone": "628212345670", "is_active": "Y"}
    first = _post(client, token, OPEN, body, "open-1")
    again = _post(client, token, OPEN, body, "open-1")
    assert first.status_code == again.status_code == 200
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _customers(merchant) == 1


@pytest.mark.parametrize("key", ["", "has space", "é", "x" * 256])
def test_a_malformed_key_is_400(client, shop, key):
    merchant, token = shop
    response = _post(client, token, V1, {"phone_number": "+12025550167"}, key)
    assert response.status_code == 400
    assert response.json["code"] == "idempotency_key_invalid"
    assert _customers(merchant) == 0


def test_a_key_older_than_24_hours_is_forgotten(client, shop):
    merchant, token = shop
    body = {"phone_number": "+12025550168"}
    _post(client, token, V1, body, "old")
    row = db.session.scalar(select(IdempotencyKey))
    row.created_at = utcnow() - idempotency.KEEP_FOR - timedelta(seconds=1)
    db.session.commit()
    fresh = _post(client, token, V1, {"phone_number": "+12025550169"}, "old")
    assert fresh.status_code == 201
    assert "Idempotent-Replayed" not in fresh.headers
    assert _customers(merchant) == 2


def test_prune_deletes_only_expired_keys(app, shop, client):
    _merchant, token = shop
    _post(client, token, V1, {"phone_number": "+12025550170"}, "a")
    _post(client, token, V1, {"phone_number": "+12025550171"}, "b")
    rows = db.session.scalars(select(IdempotencyKey).order_by(IdempotencyKey.key)).all()
    rows[0].created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert idempotency.prune() == 1
    db.session.commit()
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["b"]


def test_the_header_is_declared_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").json
    operation = spec["paths"]["/v1/customers"]["post"]
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
    assert "Idempotency-Key" in names


@pytest.mark.postgres_only
def test_a_request_racing_on_a_held_key_waits_then_replays(committing_app, shop):
    """The second request on a key whose first request has not committed waits on the
    unique index, then answers with the first request's answer, writing nothing."""
    merchant, token = shop
    body = b'{"phone_number": "+12025550172"}'
    print_ = idempotency.fingerprint("POST", V1, body)
    held = idempotency.claim(merchant.id, "race", print_)
    answers = []

    def second() -> None:
        client = committing_app.test_client()
        headers = {**auth(token), "Idempotency-Key": "race"}
        answers.append(client.post(V1, data=body, content_type="application/json", headers=headers))

    thread = threading.Thread(target=second)
    thread.start()
    assert wait_until_a_lock_waits(), "the second request never waited on the first"
    idempotency.remember(held, 201, '{"id": "first"}')
    db.session.commit()
    thread.join(timeout=30)
    assert len(answers) == 1
    assert answers[0].status_code == 201
    assert answers[0].json == {"id": "first"}
    assert answers[0].headers["Idempotent-Replayed"] == "true"
    db.session.expire_all()
    assert _customers(merchant) == 0
