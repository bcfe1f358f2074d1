"""Per-IP rate limits on the anonymous endpoints, and failing closed when Redis is down."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from portal.customers.models import Customer
from portal.extensions import db
from tests.customers.conftest import NO_PADDING
from tests.support.factories import unique_phone
from tests.support.net import LOOPBACK, free_port


@pytest.fixture
def closed_redis_url() -> str:
    """A Redis URL on a port where nothing listens (Redis configured but down)."""
    return f"redis://{LOOPBACK}:{free_port()}/0"


class TestRedisDown:
    @pytest.fixture
    def app_overrides(self, closed_redis_url: str) -> dict[str, Any]:
        return NO_PADDING | {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": closed_redis_url,
            "REDIS_URL": closed_redis_url,
        }

    def test_signin_post_fails_closed_with_503_and_retry_after(
        self, client, make_merchant, make_customer, outbox
    ):
        """No code is sent while the limits cannot be checked; the page says try again."""
        shop = make_merchant()
        customer = make_customer(shop)
        response = client.post(
            f"/shop/{shop.slug}/signin", data={"country": "BD", "phone": customer.phone}
        )
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert "try again shortly" in response.get_data(as_text=True)
        assert not outbox.messages(to=customer.phone)

    def test_signup_post_fails_closed_and_creates_nothing(self, client, make_merchant, outbox):
        """Sign-up refuses with 503 and leaves no customer."""
        shop = make_merchant()
        phone = unique_phone()
        data = {"first_name": "A", "country": "BD", "phone": phone}
        response = client.post(f"/shop/{shop.slug}/signup", data=data)
        assert response.status_code == 503 and "Retry-After" in response.headers
        assert (
            db.session.scalar(select(Customer).where(Customer.unconfirmed_phone == phone)) is None
        )
        assert not outbox.messages(to=phone)

    def test_read_only_pages_keep_working(self, client, make_merchant):
        """GET pages touch no limit storage, so they still answer 200."""
        shop = make_merchant()
        assert client.get(f"/shop/{shop.slug}/signin").status_code == 200
        assert client.get(f"/shop/{shop.slug}/signup").status_code == 200
        assert client.get("/").status_code == 200

    def test_api_reads_keep_answering_and_writes_fail_closed(
        self, client, make_merchant, make_customer, make_token
    ):
        """A limiter outage never blocks reads; writes (and codes) wait for the limits."""
        from tests.api.helpers import auth

        merchant = make_merchant()
        customer = make_customer(merchant)
        token = auth(make_token(merchant, "SYSTEM"))
        read = client.get(f"/v1/customers/{customer.id}", headers=token)
        assert read.status_code == 200
        listed = client.get("/v1/customers", headers=token)
        assert listed.status_code == 200 and listed.json["num_results"] == 1
        write = client.post("/v1/customers", json={"phone_number": "+8801711000999"}, headers=token)
        assert write.status_code == 503 and write.json["status_code"] == 503
        assert int(write.headers["Retry-After"]) > 0
        assert client.get("/v1/customers", headers=token).json["num_results"] == 1


class TestPerIpLimits:
    @pytest.fixture
    def app_overrides(self) -> dict[str, Any]:
        return NO_PADDING | {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}

    def test_sixth_signin_in_a_minute_from_one_ip_is_refused(self, client, make_merchant):
        """The per-IP limit answers 429 with Retry-After, whatever the number."""
        from portal.extensions import limiter

        limiter.reset()
        shop = make_merchant()
        for _ in range(5):
            response = client.post(
                f"/shop/{shop.slug}/signin", data={"country": "BD", "phone": unique_phone()}
            )
            assert response.status_code == 303
        refused = client.post(
            f"/shop/{shop.slug}/signin", data={"country": "BD", "phone": unique_phone()}
        )
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers


class TestRedisUp:
    @pytest.fixture
    def app_overrides(self, redis_url: str) -> dict[str, Any]:
        return NO_PADDING | {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": redis_url,
            "REDIS_URL": redis_url,
        }

    def test_signin_works_with_limits_in_redis(
        self, client, make_merchant, make_customer, outbox, redis_url
    ):
        """With Redis up the limits are counted there and codes are sent."""
        import redis

        shop = make_merchant()
        customer = make_customer(shop)
        response = client.post(
            f"/shop/{shop.slug}/signin", data={"country": "BD", "phone": customer.phone}
        )
        assert response.status_code == 303
        assert outbox.last_code(customer.phone)
        with redis.Redis.from_url(redis_url) as conn:
            assert conn.keys("*"), "the limit was not counted in Redis"

    def test_signup_answers_its_code_page_when_the_headers_cannot_be_read(
        self, app, client, make_merchant, outbox, monkeypatch
    ):
        """The limiter writes its headers after the commit: Redis failing there (counting
        worked, reading it back does not) still answers the committed sign-up with its
        code page, or the person would retry and pay a second SMS."""
        import redis

        from portal.extensions import limiter
        from portal.otp.models import OtpChallenge

        def gone(*args: object, **kwargs: object) -> None:
            raise redis.ConnectionError("Redis went away after the commit")

        shop = make_merchant()
        phone = unique_phone()
        client.get(f"/shop/{shop.slug}/signup")  # the storage is connected once
        monkeypatch.setattr(limiter.storage, "get_expiry", gone)
        response = client.post(
            f"/shop/{shop.slug}/signup", data={"first_name": "A", "country": "BD", "phone": phone}
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        assert response.headers["Location"].endswith(f"/shop/{shop.slug}/code")
        assert outbox.messages(to=phone)
        db.session.expire_all()
        assert db.session.scalar(select(OtpChallenge).where(OtpChallenge.phone == phone))
