"""Deep pages of the two API lists: /v1/customers (document 004) and /api/open/customer
(document 003) reach every customer, at a cost that does not grow with depth, and their
totals say when they are a lower bound instead of a count."""

from __future__ import annotations

import json

import pytest

from portal.api import customer_pages
from portal.core.time import utcnow
from tests.api.helpers import auth

V1 = "/v1/customers"
OPEN = "/api/open/customer"


@pytest.fixture
def shop(make_merchant, make_customer, make_token):
    """Seven live customers, one deleted one, and another merchant's customer."""
    merchant = make_merchant()
    names = ["Alice Rahman", "Malik Hasan", "Bina Das", "Rafi Khan", "Nadia", "Omar", "Tania"]
    customers = [make_customer(merchant, full_name=name, first_name=name) for name in names]
    make_customer(merchant, full_name="Gone", deleted_at=utcnow())
    make_customer(make_merchant(), full_name="Alice Elsewhere")
    return merchant, customers, make_token(merchant, "OVERVIEW")


def _follow_v1(client, token: str, params: dict) -> tuple[list[int], list[dict]]:
    """Every id /v1/customers gives when next_cursor is followed to the end."""
    ids: list[int] = []
    answers = []
    while True:
        answer = client.get(V1, query_string=params, headers=auth(token)).json
        answers.append(answer)
        ids += [row["id"] for row in answer["objects"]]
        if not answer["next_cursor"]:
            return ids, answers
        params = {**params, "cursor": answer["next_cursor"]}


def test_v1_cursor_walks_every_live_customer_in_id_order(client, shop):
    """Following next_cursor gives each live customer once, in id order, totals exact."""
    _merchant, customers, token = shop
    ids, answers = _follow_v1(client, token, {"results_per_page": 3})
    assert ids == sorted(c.id for c in customers)
    assert len(answers) == 3
    assert {(a["num_results"], a["num_results_exact"]) for a in answers} == {(7, True)}
    assert answers[0]["total_pages"] == 3


def test_v1_offset_pages_stop_at_a_clear_400(client, shop, monkeypatch):
    """page beyond MAX_OFFSET rows is refused naming page; a cursor goes on instead."""
    _merchant, _customers, token = shop
    monkeypatch.setattr(customer_pages, "MAX_OFFSET", 4)
    fine = client.get(V1, query_string={"results_per_page": 2, "page": 3}, headers=auth(token))
    assert fine.status_code == 200 and len(fine.json["objects"]) == 2
    deep = client.get(V1, query_string={"results_per_page": 2, "page": 4}, headers=auth(token))
    assert deep.status_code == 400
    assert (deep.json["code"], deep.json["field"]) == ("page_too_deep", "page")
    assert "next_cursor" in deep.json["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "aWQ6LTE"}, "cursor"),  # "id:-1"
        (
            {"cursor": "aWQ6Mw", "q": json.dumps({"order_by": [{"field": "name"}]})},
            "cursor",
        ),
    ],
)
def test_v1_refuses_cursors_it_did_not_give(client, shop, params, field):
    """A forged cursor, or a cursor with an order other than id, is a 400 naming cursor."""
    response = client.get(V1, query_string=params, headers=auth(shop[2]))
    assert response.status_code == 400
    assert response.json["field"] == field


def test_v1_counts_no_further_than_the_cap_and_says_so(client, shop, monkeypatch):
    """A filtered list past the cap reports the cap as a lower bound, labelled."""
    _merchant, customers, token = shop
    monkeypatch.setattr(customer_pages, "COUNT_CAP", 3)
    q = json.dumps({"filters": [{"name": "id", "op": "ge", "val": customers[0].id}]})
    answer = client.get(V1, query_string={"q": q, "results_per_page": 2}, headers=auth(token)).json
    assert (answer["num_results"], answer["num_results_exact"]) == (3, False)
    ids, _ = _follow_v1(client, token, {"q": q, "results_per_page": 2})
    assert len(ids) == 7


def test_v1_name_search_is_the_consoles(client, shop):
    """like %term% on name finds what the console finds: any case, only this merchant."""
    token = shop[2]
    q = json.dumps({"filters": [{"name": "name", "op": "like", "val": "%ALI%"}]})
    answer = client.get(V1, query_string={"q": q}, headers=auth(token)).json
    assert {row["name"] for row in answer["objects"]} == {"Alice Rahman", "Malik Hasan"}
    assert (answer["num_results"], answer["num_results_exact"]) == (2, True)


def _follow_open(client, token: str, url: str) -> tuple[list[int], list[dict]]:
    ids: list[int] = []
    metas = []
    while url:
        answer = client.get(url, headers=auth(token)).json
        metas.append(answer["meta"]["pagination"])
        ids += [row["id"] for row in answer["data"]]
        url = metas[-1]["links"].get("next")
    return ids, metas


def test_open_links_next_leads_past_the_count_cap(client, shop, monkeypatch):
    """With counts capped below the list, links.next still reaches the last customer and
    the unfiltered total is exact, from the summary table."""
    _merchant, customers, token = shop
    monkeypatch.setattr("portal.customers.search_counts.COUNT_CAP", 2)
    ids, metas = _follow_open(client, token, f"{OPEN}?per_page=2")
    assert sorted(ids) == sorted(c.id for c in customers)
    assert len(ids) == len(set(ids))
    assert {(m["total"], m["total_is_exact"], m["total_pages"]) for m in metas} == {(7, True, 4)}
    assert [m["current_page"] for m in metas] == [1, 2, 3, 4]
    assert "cursor=" in (metas[1]["links"]["next"] or "")


def test_open_plain_list_takes_its_total_from_the_summary(client, shop, query_counter):
    """A page that does not reach the end states the exact total without counting the
    customers (a count reads up to COUNT_CAP rows on every request); a consent filter,
    which the summary does not track, is still counted."""
    _merchant, _customers, token = shop

    def page(query: str) -> tuple[tuple[int, bool], list[str]]:
        with query_counter() as watched:
            meta = client.get(f"{OPEN}?per_page=2{query}", headers=auth(token)).json["meta"]
        counted = [s for s in watched.statements if "count(" in s.lower() and "customers" in s]
        return (meta["pagination"]["total"], meta["pagination"]["total_is_exact"]), counted

    total, counted = page("")
    assert total == (7, True) and counted == []
    total, counted = page("&sms_consent=false")
    assert total == (7, True) and len(counted) == 1


def test_open_search_past_the_cap_is_labelled_a_lower_bound(client, shop, monkeypatch):
    """A keyword search whose count is capped says total_is_exact false, and links on."""
    _merchant, _customers, token = shop
    monkeypatch.setattr("portal.customers.search_counts.COUNT_CAP", 1)
    monkeypatch.setattr("portal.customers.search_counts.SCAN_COUNT_CAP", 1)
    ids, metas = _follow_open(client, token, f"{OPEN}?per_page=1&keyword=a")
    assert len(ids) == 7  # every live name here has an "a"
    assert metas[0]["total_is_exact"] is False


def test_open_deep_offset_without_cursor_is_refused(client, shop, monkeypatch):
    """pagination_offset past MAX_OFFSET rows without links.next's cursor: a clear 400."""
    monkeypatch.setattr("portal.api.open.MAX_OFFSET", 2)
    response = client.get(f"{OPEN}?per_page=2&pagination_offset=3", headers=auth(shop[2]))
    assert response.status_code == 400
    assert response.json["field"] == "pagination_offset"


@pytest.mark.postgres_only
def test_v1_trigram_search_reports_the_estimate_labelled(client, shop):
    """A console search with more than a page of matches reports PostgreSQL's estimate,
    never less than the rows already seen, marked inexact; the cursor still ends it."""
    token = shop[2]
    q = json.dumps({"filters": [{"name": "name", "op": "ilike", "val": "%an%"}]})
    answer = client.get(V1, query_string={"q": q, "results_per_page": 1}, headers=auth(token))
    assert answer.status_code == 200
    assert answer.json["num_results_exact"] is False
    assert answer.json["num_results"] >= 2
    ids, _ = _follow_v1(client, token, {"q": q, "results_per_page": 1})
    assert len(ids) == 4  # Alice Rahman, Malik Hasan, Rafi Khan, Tania
