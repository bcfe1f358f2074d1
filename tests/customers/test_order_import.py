"""Orders from a file (portal/customers/order_import.py), in the console and the API."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.core.models import Event
from portal.customers.models import Order, OrderItem
from portal.customers.order_import import MAX_ROWS, import_orders, template_csv
from portal.extensions import db
from portal.staff.models import Role
from tests.api.helpers import auth
from tests.merchants.page_helpers import sign_in

HEADER = "po_number,customer_id,date,status,product_name,quantity,price\n"
ACTOR = "owner@shop.test"
API = "/api/open/orders/import"
PAGE = "/merchant/orders/import"


@pytest.fixture
def shop(make_merchant):
    return make_merchant(name="Rahim Store", country_code="BD")


def write(tmp_path, text: str) -> str:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def orders_of(merchant) -> list[Order]:
    query = select(Order).where(Order.merchant_id == merchant.id).order_by(Order.po_number)
    return list(db.session.scalars(query))


def test_rows_of_one_po_number_make_one_order_with_its_items(shop, make_customer, tmp_path):
    """Two rows with PO 501 are one order of two items; its customer's last order moves
    and order.created fires."""
    customer = make_customer(shop)
    text = (
        HEADER
        + f"501,{customer.id},2026-11-20,S,Rice 5 kg,2,650\n"
        + f"501,{customer.id},2026-11-20,S,Lentils,1,140\n"
    )
    outcome = import_orders(shop.id, write(tmp_path, text), actor=ACTOR)
    assert (outcome.recorded, outcome.already_recorded, outcome.rejected) == (1, 0, 0)
    (order,) = orders_of(shop)
    assert (order.items_count, order.total_price) == (2, 2 * 650 + 140)
    names = db.session.scalars(select(OrderItem.product_name).where(OrderItem.order_id == order.id))
    assert sorted(names) == ["Lentils", "Rice 5 kg"]
    db.session.refresh(customer)
    assert customer.last_order_at == order.ordered_at
    events = select(func.count()).select_from(Event).where(Event.type == "order.created")
    assert db.session.scalar(events) == 1


def test_a_refused_order_keeps_the_others_and_nothing_of_it_is_written(
    shop, make_customer, make_merchant, tmp_path
):
    """Unknown customer, another shop's customer, a negative quantity, a price that is not
    a number, rows that disagree: each refuses its order only, naming row and column."""
    mine = make_customer(shop)
    theirs = make_customer(make_merchant(name="Other Shop"))
    text = (
        HEADER
        + f"601,{mine.id},2026-11-20,S,Good,1,100\n"  # row 2: recorded
        + "602,999999,2026-11-20,S,Ghost,1,100\n"  # row 3: unknown customer
        + f"603,{theirs.id},2026-11-20,S,Theirs,1,100\n"  # row 4: another merchant's
        + f"604,{mine.id},2026-11-20,S,Minus,-1,100\n"  # row 5: negative quantity
        + f"605,{mine.id},2026-11-20,S,Pricey,1,abc\n"  # row 6: price not a number
        + f"606,{mine.id},2026-11-20,S,First,1,100\n"  # row 7
        + f"606,{mine.id},2026-11-21,S,Second,1,100\n"  # row 8: another date
        + f"x,{mine.id},2026-11-20,S,No PO,1,100\n"  # row 9: no PO number
    )
    outcome = import_orders(shop.id, write(tmp_path, text), actor=ACTOR)
    assert (outcome.recorded, outcome.rejected) == (1, 5)
    assert [o.po_number for o in orders_of(shop)] == [601]
    where = sorted((e.row, e.column) for e in outcome.errors)
    assert where == [
        (3, "customer_id"),
        (4, "customer_id"),
        (5, "quantity"),
        (6, "price"),
        (8, "date"),
        (9, "po_number"),
    ]
    rejected = list(csv.reader(io.StringIO(outcome.rejected_csv())))
    assert rejected[0][-1] == "error"
    assert [row[4] for row in rejected[1:]] == [
        "Ghost",
        "Theirs",
        "Minus",
        "Pricey",
        "First",
        "Second",
        "No PO",
    ]
    assert rejected[3][-1].startswith("quantity: quantity must be at least 1")


def test_a_po_number_recorded_before_is_counted_not_written_again(shop, make_customer, tmp_path):
    """The same file twice: the second time every order is 'already recorded'."""
    customer = make_customer(shop)
    path = write(tmp_path, HEADER + f"701,{customer.id},2026-11-20,P,Tea,3,90\n")
    assert import_orders(shop.id, path, actor=ACTOR).recorded == 1
    again = import_orders(shop.id, path, actor=ACTOR)
    assert (again.recorded, again.already_recorded) == (0, 1)
    assert len(orders_of(shop)) == 1


def test_an_order_of_more_than_500_items_is_refused(shop, make_customer, tmp_path):
    customer = make_customer(shop)
    rows = "".join(f"801,{customer.id},2026-11-20,S,Item {i},1,1\n" for i in range(501))
    outcome = import_orders(shop.id, write(tmp_path, HEADER + rows), actor=ACTOR)
    assert (outcome.recorded, outcome.rejected) == (0, 1)
    assert "at most 500" in outcome.errors[0].message
    assert orders_of(shop) == []


def test_missing_columns_and_too_many_rows_refuse_the_file(shop, tmp_path):
    from portal.core.errors import ServiceError

    with pytest.raises(ServiceError) as missing:
        import_orders(shop.id, write(tmp_path, "po_number,price\n1,2\n"), actor=ACTOR)
    assert "customer_id" in missing.value.message
    rows = "".join(f"{i},1,2026-11-20,S,x,1,1\n" for i in range(1, MAX_ROWS + 2))
    with pytest.raises(ServiceError) as too_many:
        import_orders(shop.id, write(tmp_path, HEADER + rows), actor=ACTOR)
    assert too_many.value.code == "import_too_many_rows"
    assert orders_of(shop) == []


def test_the_template_is_a_file_the_import_reads(shop, make_customer, tmp_path):
    """The template's example order records once its customer id is one of the shop's."""
    customer = make_customer(shop)
    text = template_csv().replace(",123,", f",{customer.id},")
    assert import_orders(shop.id, write(tmp_path, text), actor=ACTOR).recorded == 1


# --- the console page ------------------------------------------------------------------


def _upload(client, text: str):
    """Post the file as the browser does; the body is encoded in memory (the test client's
    own encoder spools large bodies to a temporary file it never closes)."""
    boundary, data = encode_multipart(
        {"file": FileStorage(io.BytesIO(text.encode()), filename="orders.csv")}
    )
    return client.post(PAGE, data=data, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_page_records_a_file_and_offers_the_refused_rows(
    client, shop, make_customer, make_staff
):
    customer = make_customer(shop)
    sign_in(client, make_staff(shop))
    assert client.get(PAGE).status_code == 200
    text = HEADER + f"901,{customer.id},2026-11-20,S,Good,1,5\n902,0,2026-11-20,S,Bad,1,5\n"
    page = _upload(client, text)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="count-recorded">1<' in html and 'id="count-rejected">1<' in html
    link = html.split('href="/merchant/orders/import/rejected/')[1].split('"')[0]
    rejected = client.get(f"/merchant/orders/import/rejected/{link}")
    assert rejected.status_code == 200
    assert "Bad" in rejected.get_data(as_text=True)
    assert [o.po_number for o in orders_of(shop)] == [901]


def test_the_refused_rows_serve_only_their_merchant(
    client, shop, make_customer, make_staff, make_merchant
):
    customer = make_customer(shop)
    sign_in(client, make_staff(shop))
    html = _upload(client, HEADER + f"903,{customer.id},2026-11-20,S,Bad,0,5\n").get_data(
        as_text=True
    )
    link = html.split('href="/merchant/orders/import/rejected/')[1].split('"')[0]
    other = make_merchant(name="Other Shop")
    sign_in(client, make_staff(other))
    assert client.get(f"/merchant/orders/import/rejected/{link}").status_code == 404
    assert client.get("/merchant/orders/import/rejected/..%2Fsecret.csv").status_code == 404


def test_the_page_is_for_writers_and_refuses_a_bad_file(client, shop, make_staff):
    sign_in(client, make_staff(shop, role=Role.STAFF, permission="OVERVIEW"))
    assert client.get(PAGE).status_code == 403
    sign_in(client, make_staff(shop))
    page = _upload(client, "name,phone\nx,y\n")
    assert page.status_code == 422
    assert "The file needs the columns" in page.get_data(as_text=True)


# --- the API ------------------------------------------------------------------------------


def _post(client, token: str, text: str):
    boundary, data = encode_multipart(
        {"file": FileStorage(io.BytesIO(text.encode()), filename="orders.csv")}
    )
    return client.post(
        API,
        data=data,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=auth(token),
    )


def test_the_api_records_the_file_and_answers_each_error(client, shop, make_customer, make_token):
    customer = make_customer(shop)
    text = HEADER + f"1001,{customer.id},2026-11-20,S,Good,1,5\n1002,,2026-11-20,S,Bad,1,5\n"
    response = _post(client, make_token(shop), text)
    assert response.status_code == 200
    data = response.json["data"]
    assert (data["recorded"], data["already_recorded"], data["rejected"]) == (1, 0, 1)
    assert data["errors"][0]["row"] == 3 and data["errors"][0]["column"] == "customer_id"
    assert _post(client, make_token(shop, "OVERVIEW"), text).status_code == 403
    again = _post(client, make_token(shop), text).json["data"]
    assert (again["recorded"], again["already_recorded"]) == (0, 1)


def test_an_order_file_may_pass_the_app_s_1_mb_limit_up_to_2_mb(
    client, shop, make_customer, make_staff, make_token
):
    """The order form and endpoint alone take files above the app-wide request limit
    (portal/uploads.py); past their own 2 MB they answer 413. A column the import does
    not read (`notes`) makes the file large."""
    customer = make_customer(shop)
    notes = "x" * 8000
    text = HEADER.replace("\n", ",notes\n") + "".join(
        f"{1100 + i},{customer.id},2026-11-20,S,Rice,1,5,{notes}\n" for i in range(160)
    )
    assert 1024 * 1024 < len(text) < 2 * 1024 * 1024
    sign_in(client, make_staff(shop))
    page = _upload(client, text)
    assert page.status_code == 200 and 'id="count-recorded">160<' in page.get_data(as_text=True)
    api = _post(client, make_token(shop), text)
    assert api.status_code == 200 and api.json["data"]["already_recorded"] == 160
    assert _upload(client, "a" * (3 * 1024 * 1024)).status_code == 413
    assert _post(client, make_token(shop), "a" * (3 * 1024 * 1024)).status_code == 413
