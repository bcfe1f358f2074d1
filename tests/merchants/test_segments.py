"""Segments: the list's filters saved under a name, shown beside the list with a capped
count, opened, exported, renamed and deleted; tenant isolation and the list's roles."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.core.error_codes import SegmentError
from portal.core.errors import ServiceError
from portal.core.models import AuditEntry
from portal.customers import search_counts
from portal.customers import segments as segments_module
from portal.customers.search import CustomerFilters, parse_filters
from portal.customers.segment_models import Segment
from portal.customers.segments import (
    create_segment,
    delete_segment,
    get_segment,
    merchant_segments,
    rename_segment,
    segment_filters,
    segment_totals,
)
from portal.customers.tags import add_tag
from portal.extensions import db
from tests.merchants.page_helpers import sign_in


@pytest.fixture
def shop(make_merchant):
    return make_merchant()


@pytest.fixture
def owner(shop, make_staff):
    return make_staff(shop)


@pytest.fixture
def owner_client(client, owner):
    return sign_in(client, owner)


def _save(merchant, owner, name="VIP", **args):
    return create_segment(
        merchant.id,
        name=name,
        filters=parse_filters(args),
        staff_id=owner.id,
        actor=owner.email,
    )


# --- the service ---------------------------------------------------------------------------


def test_create_segment_keeps_only_known_filter_keys(app, shop, owner):
    """The stored filters are the list's query arguments, nothing else; opening them
    gives back the same filters."""
    filters = parse_filters(
        {"keyword": "ani", "status": "1", "tag": "VIP", "per_page": "50", "evil": "x"}
    )
    segment = _save(shop, owner, keyword="ani", status="1", tag="VIP", per_page="50", evil="x")
    assert json.loads(segment.filters) == {"keyword": "ani", "search_in": "NAME",
                                           "status": "1", "tag": "VIP"}  # fmt: skip
    assert segment_filters(segment) == filters
    assert segment.created_by == owner.id and segment.created_at and segment.updated_at


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", SegmentError.NAME_REQUIRED),
        ("   ", SegmentError.NAME_REQUIRED),
        ("x" * 81, SegmentError.NAME_TOO_LONG),
        ("bad\x00name", "invalid_characters"),
    ],
)
def test_create_segment_refuses_a_bad_name(app, shop, owner, name, code):
    """A missing, too long or unstorable name is refused on the name field."""
    with pytest.raises(ServiceError) as caught:
        _save(shop, owner, name=name, status="1")
    assert caught.value.code == code and caught.value.field == "name"


def test_segment_names_are_unique_per_merchant_whatever_the_case(app, shop, owner, make_merchant,
                                                                 make_staff):  # fmt: skip
    """ "vip" is taken once "VIP" exists, in this shop only; 80 characters is allowed."""
    _save(shop, owner, name="VIP")
    with pytest.raises(ServiceError) as caught:
        _save(shop, owner, name="  vip ")
    assert caught.value.code == SegmentError.NAME_TAKEN
    other = make_merchant()
    assert _save(other, make_staff(other), name="vip").name == "vip"
    assert len(_save(shop, owner, name="y" * 80).name) == 80


def test_the_101st_segment_is_refused(app, shop, owner, monkeypatch):
    """A merchant keeps at most MAX_SEGMENTS segments (the cap made small here)."""
    monkeypatch.setattr(segments_module, "MAX_SEGMENTS", 3)
    for number in range(3):
        _save(shop, owner, name=f"S{number}")
    with pytest.raises(ServiceError) as caught:
        _save(shop, owner, name="one too many")
    assert caught.value.code == SegmentError.TOO_MANY and caught.value.params == {"max": 3}


def test_rename_and_delete_are_audited_with_their_names(app, shop, owner):
    """created / renamed / deleted each write one audit entry naming the segment."""
    segment = _save(shop, owner, name="Old", status="1")
    with pytest.raises(ServiceError):
        rename_segment(segment, name="", actor=owner.email)
    _save(shop, owner, name="Taken")
    with pytest.raises(ServiceError) as caught:
        rename_segment(segment, name="TAKEN", actor=owner.email)
    assert caught.value.code == SegmentError.NAME_TAKEN
    rename_segment(segment, name="Old", actor=owner.email)  # unchanged: nothing recorded
    rename_segment(segment, name="New", actor=owner.email)
    delete_segment(segment, actor=owner.email)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.merchant_id == shop.id).order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.note) for e in entries] == [
        ("segment.created", "Old"),
        ("segment.created", "Taken"),
        ("segment.renamed", "New"),
        ("segment.deleted", "New"),
    ]
    assert [s.name for s in merchant_segments(shop.id)] == ["Taken"]


def test_another_merchants_segment_is_not_found(app, shop, owner, make_merchant, make_staff):
    """get_segment answers 404 for another shop's id, a missing id and garbage."""
    other = make_merchant()
    theirs = _save(other, make_staff(other), name="Theirs")
    for wanted in (theirs.id, 999_999, "abc"):
        with pytest.raises(ServiceError) as caught:
            get_segment(shop.id, wanted)
        assert caught.value.code == SegmentError.NOT_FOUND and caught.value.status == 404


def test_segment_totals_are_capped_like_the_lists(app, shop, owner, make_customer, monkeypatch):
    """A segment counts no further than the list's cap, and says "more than" beyond it."""
    monkeypatch.setattr(search_counts, "COUNT_CAP", 3)
    for _ in range(5):
        make_customer(shop, registration_status="1")
    make_customer(shop, first_name="Alone", registration_status="4")
    many = _save(shop, owner, name="Registered", status="1")
    alone = _save(shop, owner, name="Blocked", status="4")
    totals = segment_totals(shop.id, [many, alone])
    assert (totals[alone.id].count, totals[alone.id].exact) == (1, True)
    assert (totals[many.id].count, totals[many.id].exact) == (3, False)


def test_a_stored_value_a_rule_now_refuses_is_left_out(app, shop, owner):
    """Filters stored before a rule changed open without the refused value."""
    segment = _save(shop, owner, name="Old rules", status="1")
    segment.filters = json.dumps({"status": "1", "category": "not valid!", "x": "y"})
    assert segment_filters(segment) == CustomerFilters(status="1")
    segment.filters = "not json"
    assert segment_filters(segment) == CustomerFilters()


# --- the pages -----------------------------------------------------------------------------


def test_list_shows_the_save_form_and_the_empty_panel(owner_client, shop, make_customer):
    """Filtered: "Save these filters" with its labelled name field; the panel's empty state."""
    make_customer(shop, registration_status="1")
    html = owner_client.get("/merchant/customers?status=1").get_data(as_text=True)
    assert '<label for="name">Segment name</label>' in html
    assert "Save these filters" in html
    assert '<input type="hidden" name="status" value="1">' in html
    assert "No segments yet" in html
    unfiltered = owner_client.get("/merchant/customers").get_data(as_text=True)
    assert ">Save these filters</button>" not in unfiltered
    assert "No segments yet" in unfiltered


def test_save_these_filters_then_open_the_segment(owner_client, shop, make_customer):
    """The POST saves the filters and returns to the filtered list, where the panel shows
    the segment with its count; its link opens the list with its filters."""
    make_customer(shop, first_name="Blocked", registration_status="4")
    make_customer(shop, first_name="Fine")
    response = owner_client.post(
        "/merchant/segments", data={"name": "Blocked ones", "status": "4", "junk": "1"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/merchant/customers?status=4"
    segment = merchant_segments(shop.id)[0]
    assert json.loads(segment.filters) == {"status": "4"}
    html = owner_client.get("/merchant/customers?status=4").get_data(as_text=True)
    assert "Segment “Blocked ones” saved." in html
    assert "Blocked ones</a>" in html and 'aria-current="true"' in html
    assert "1 customer</span>" in html
    opened = owner_client.get(f"/merchant/segments/{segment.id}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith("?status=4")
    listed = owner_client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Blocked" in listed and ">Fine<" not in listed


def test_a_refused_name_comes_back_with_its_error(owner_client, shop, owner):
    """A taken name: 422 on the save page, filters kept; htmx gets the form alone (200)."""
    _save(shop, owner, name="VIP", status="1")
    response = owner_client.post("/merchant/segments", data={"name": "vip", "status": "0"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Another segment already has this name." in html
    assert '<input type="hidden" name="status" value="0">' in html
    partial = owner_client.post(
        "/merchant/segments", data={"name": ""}, headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200
    text = partial.get_data(as_text=True)
    assert text.lstrip().startswith("<form") and "Enter a name for the segment." in text
    assert len(merchant_segments(shop.id)) == 1


def test_bad_filters_are_not_saved(owner_client, shop):
    """Filters the list refuses are not saved as a segment."""
    response = owner_client.post("/merchant/segments", data={"name": "X", "status": "nope"})
    assert response.status_code == 422
    assert "Fix the filters before saving them." in response.get_data(as_text=True)
    assert merchant_segments(shop.id) == []


def test_segments_page_and_htmx_panel(owner_client, shop, owner):
    """/merchant/segments lists them; htmx gets the panel alone, varying on HX-Request."""
    _save(shop, owner, name="Zeta", status="1")
    _save(shop, owner, name="alpha", status="0")
    page = owner_client.get("/merchant/segments")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Segments</h1>" in html
    assert html.index("alpha") < html.index("Zeta")
    panel = owner_client.get("/merchant/segments", headers={"HX-Request": "true"})
    assert panel.get_data(as_text=True).lstrip().startswith('<aside id="segments-panel"')
    assert "HX-Request" in panel.headers["Vary"]


def test_segment_export_runs_the_lists_export_with_its_filters(owner_client, shop, owner,
                                                              make_customer):  # fmt: skip
    """The segment's Excel link is the list's export with the segment's filters."""
    make_customer(shop, first_name="Exported", registration_status="4")
    segment = _save(shop, owner, name="Blocked", status="4")
    response = owner_client.get(f"/merchant/segments/{segment.id}/export.xlsx")
    assert response.status_code == 303
    assert response.headers["Location"] == "/merchant/customers/export.xlsx?status=4"
    csv = owner_client.get(f"/merchant/segments/{segment.id}/export.csv")
    assert csv.headers["Location"] == "/merchant/customers/export.csv?status=4"
    assert owner_client.get(f"/merchant/segments/{segment.id}/export.pdf").status_code == 404
    workbook = owner_client.get(response.headers["Location"])
    assert workbook.status_code == 200 and workbook.mimetype.endswith("sheet")


def test_rename_page_renames_and_refuses(owner_client, shop, owner):
    """GET shows the name; a blank name is refused (422); a new one is saved."""
    segment = _save(shop, owner, name="Old", status="1")
    form = owner_client.get(f"/merchant/segments/{segment.id}/rename").get_data(as_text=True)
    assert '<label for="name">Segment name</label>' in form and 'value="Old"' in form
    refused = owner_client.post(f"/merchant/segments/{segment.id}/rename", data={"name": " "})
    assert refused.status_code == 422
    assert "Enter a name for the segment." in refused.get_data(as_text=True)
    done = owner_client.post(f"/merchant/segments/{segment.id}/rename", data={"name": "New"})
    assert done.status_code == 303 and done.headers["Location"].endswith("?status=1")
    db.session.expire_all()
    assert db.session.get(Segment, segment.id).name == "New"


def test_delete_asks_first_then_deletes(owner_client, shop, owner):
    """GET asks "Delete this segment?" and changes nothing; the POST deletes."""
    segment = _save(shop, owner, name="Gone soon", status="1")
    ask = owner_client.get(f"/merchant/segments/{segment.id}/delete")
    assert ask.status_code == 200 and "Delete this segment?" in ask.get_data(as_text=True)
    assert len(merchant_segments(shop.id)) == 1
    done = owner_client.post(f"/merchant/segments/{segment.id}/delete")
    assert done.status_code == 303
    assert merchant_segments(shop.id) == []


def test_another_merchants_segment_answers_404_everywhere(owner_client, make_merchant,
                                                         make_staff):  # fmt: skip
    """Open, export, rename and delete of another shop's segment: 404, and it survives."""
    other = make_merchant()
    theirs = _save(other, make_staff(other), name="Secret", status="1")
    base = f"/merchant/segments/{theirs.id}"
    for path in (base, f"{base}/export.xlsx", f"{base}/rename", f"{base}/delete"):
        assert owner_client.get(path).status_code == 404, path
    assert owner_client.post(f"{base}/rename", data={"name": "Mine"}).status_code == 404
    assert owner_client.post(f"{base}/delete").status_code == 404
    assert "Secret" not in owner_client.get("/merchant/customers").get_data(as_text=True)
    assert [s.name for s in merchant_segments(other.id)] == ["Secret"]


def test_segments_follow_the_lists_permission(client, shop, make_staff):
    """OVERVIEW staff (who read the list) use segments; assistants get 403; signed-out
    visitors go to sign-in."""
    assert client.get("/merchant/segments").status_code == 302
    sign_in(client, make_staff(shop, role="assistant"))
    assert client.get("/merchant/segments").status_code == 403
    assert client.post("/merchant/segments", data={"name": "X"}).status_code == 403
    sign_in(client, make_staff(shop, role="staff", permission="OVERVIEW"))
    response = client.post("/merchant/segments", data={"name": "Mine", "status": "1"})
    assert response.status_code == 303
    assert [s.name for s in merchant_segments(shop.id)] == ["Mine"]


def test_segment_names_are_shown_as_text(owner_client, shop, owner):
    """A name with markup is escaped in the panel, never marked safe."""
    _save(shop, owner, name="<b>bold</b>", status="1")
    html = owner_client.get("/merchant/customers").get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html


def test_segment_tag_filter_counts_its_customers(owner_client, shop, owner, make_customer):
    """A segment of the Tag filter counts the tagged customers (any case of the tag)."""
    add_tag(make_customer(shop), "Wholesale", actor="t")
    make_customer(shop)
    _save(shop, owner, name="Wholesale buyers", tag="wholesale")
    html = owner_client.get("/merchant/segments").get_data(as_text=True)
    assert "1 customer</span>" in html


def test_htmx_save_follows_the_whole_page_to_the_list(owner_client, shop):
    """After an htmx save the whole page goes to the filtered list (HX-Redirect)."""
    response = owner_client.post(
        "/merchant/segments",
        data={"name": "Registered", "status": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/merchant/customers?status=1"


@pytest.mark.parametrize(
    ("language", "panel", "confirm"),
    [
        ("bn", "এখনো কোনো সেগমেন্ট নেই", "এই সেগমেন্টটি মুছে ফেলবেন?"),
        ("id", "Belum ada segmen", "Hapus segmen ini?"),
    ],
)
def test_segment_pages_read_in_bengali_and_indonesian(
    owner_client, shop, owner, language, panel, confirm
):
    """The empty panel and the delete confirmation come from the catalogs."""
    headers = {"Accept-Language": language}
    empty = owner_client.get("/merchant/segments", headers=headers).get_data(as_text=True)
    assert panel in empty
    segment = _save(shop, owner, name="VIP", status="1")
    ask = owner_client.get(f"/merchant/segments/{segment.id}/delete", headers=headers)
    assert confirm in ask.get_data(as_text=True)


def test_an_htmx_swap_of_the_table_names_the_segment_it_shows(app, owner_client, shop, owner):
    """The panel stays when htmx swaps the table: the answer's HX-Trigger tells it which
    segment (if any) the new table shows, so its "current" mark follows the filters."""
    vip = _save(shop, owner, name="VIP", keyword="budi", search_in="NAME")
    db.session.commit()
    swap = {"HX-Request": "true"}
    shown = owner_client.get("/merchant/customers?keyword=budi&search_in=NAME", headers=swap)
    assert json.loads(shown.headers["HX-Trigger"]) == {"segment-current": {"id": vip.id}}
    other = owner_client.get("/merchant/customers?keyword=ani&search_in=NAME", headers=swap)
    assert json.loads(other.headers["HX-Trigger"]) == {"segment-current": {"id": None}}
    whole = owner_client.get("/merchant/customers?keyword=budi&search_in=NAME")
    assert "HX-Trigger" not in whole.headers
    assert f'data-segment-id="{vip.id}"' in whole.get_data(as_text=True)
