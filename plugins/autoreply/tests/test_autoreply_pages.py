"""The /autoreply pages and /api/v1/autoreplies: customers manage their responders; other tenants'
and other customers' ids answer 404; a tenant that has not enabled the plugin sees nothing of it."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from payamak.accounts.services import create_api_key
from payamak.tables import Tenant
from payamak.tenancy import tenant_context
from payamak.tenancy.services import enabled_plugins
from payamak_autoreply import services
from payamak_autoreply.tables import Responder
from tests.helpers import text_of
from tests.messaging.conftest import make_world


async def logged_in(client_for, world):
    client = client_for(world.tenant)
    await client.login(world.customer)
    return client


async def api_for(client_for, world):
    with tenant_context(world.tenant):
        _, key = await create_api_key(world.customer)
    api = client_for(world.tenant)
    api.headers["X-API-Key"] = key
    return api


async def test_the_customer_menu_leads_to_auto_reply_in_persian(world, client_for):
    client = await logged_in(client_for, world)
    page = await client.get("/autoreply")
    assert page.status_code == 200
    assert '<a href="/autoreply" aria-current="page">پاسخگویی خودکار</a>' in page.text
    assert "هنوز پاسخگویی ندارید." in text_of(page.text)


async def test_a_single_responder_is_created_edited_switched_off_and_deleted_through_the_pages(world, client_for):
    client = await logged_in(client_for, world)
    new = await client.post_form(
        "/autoreply/new", {"keywords": "قیمت، price", "reply_text": "فهرست قیمت‌ها", "line_id": str(world.line.id), "enabled": "1"}
    )
    assert new.status_code == 303 and new.headers["location"] == "/autoreply"
    responder = await Responder.objects().where(Responder.owner == world.customer.id).first()
    assert (responder.keywords, responder.line, responder.match_mode, responder.enabled) == ("قیمت\nprice", world.line.id, "exact", True)
    listing = text_of((await client.get("/autoreply")).text)
    assert "قیمت، price" in listing and "فهرست قیمت‌ها" in listing and "پاسخگو ثبت شد." in listing

    form = await client.get(f"/autoreply/{responder.id}/edit")
    assert form.status_code == 200 and 'value="قیمت، price"' in form.text
    edited = await client.post_form(
        f"/autoreply/{responder.id}/edit", {"keywords": "قیمت", "reply_text": "قیمت جدید", "line_id": "", "match_mode": "contains"}
    )
    assert edited.status_code == 303
    responder = await Responder.objects().where(Responder.id == responder.id).first()
    assert (responder.keywords, responder.reply_text, responder.line, responder.match_mode, responder.enabled) == (
        "قیمت",
        "قیمت جدید",
        None,
        "contains",
        False,
    )
    await client.post_form(f"/autoreply/{responder.id}/toggle")
    assert (await Responder.objects().where(Responder.id == responder.id).first()).enabled is True
    await client.post_form(f"/autoreply/{responder.id}/delete")
    assert not await Responder.exists().where(Responder.id == responder.id)


async def test_a_bad_form_is_shown_again_with_the_error_and_what_was_typed(world, client_for):
    client = await logged_in(client_for, world)
    response = await client.post_form("/autoreply/new", {"keywords": "سلام", "reply_text": "  ", "enabled": "1"})
    assert response.status_code == 400
    assert "متن پاسخ خالی است." in response.text and 'value="سلام"' in response.text
    assert not await Responder.exists().where(Responder.owner == world.customer.id)


async def test_default_replies_are_set_per_line_and_replaced_not_duplicated(world, client_for, kit):
    second = await kit.add_line(world)
    client = await logged_in(client_for, world)
    for text in ("پاسخ اول", "پاسخ دوم"):
        response = await client.post_form("/autoreply/defaults", {"line_id": str(world.line.id), "reply_text": text, "enabled": "1"})
        assert response.status_code == 303
    await client.post_form("/autoreply/defaults", {"line_id": str(second.id), "reply_text": "خط دوم"})
    defaults = await services.default_responders(world.customer)
    assert {k: (v.reply_text, v.enabled) for k, v in defaults.items()} == {world.line.id: ("پاسخ دوم", True), second.id: ("خط دوم", False)}
    page = await client.get("/autoreply/defaults")
    assert "پاسخ دوم" in page.text and "خط دوم" in page.text


async def test_misses_page_shows_a_message_left_unanswered_for_lack_of_credit(app, factory, client_for, kit):
    poor = await make_world(factory, credit=0)
    await services.save_default(poor.customer, poor.line.id, "درود")
    await kit.receive(poor.line, kit.new_sender(), "سلام، قیمت؟")
    client = await logged_in(client_for, poor)
    page = text_of((await client.get("/autoreply/misses")).text)
    assert "سلام، قیمت؟" in page and "اعتبار کافی نبود" in page


async def test_sample_files_download_in_each_format(world, client_for):
    client = await logged_in(client_for, world)
    xlsx = await client.get("/autoreply/group/sample/xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == ["کلمات کلیدی", "پاسخ", "شماره خط", "نوع تطبیق"]
    assert (await client.get("/autoreply/group/sample/xls")).headers["content-type"] == "application/vnd.ms-excel"
    csv = await client.get("/autoreply/group/sample/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf") and world.line.number in csv.content.decode("utf-8-sig")
    assert (await client.get("/autoreply/group/sample/pdf")).status_code == 404


async def test_group_upload_page_lists_bad_rows_and_creates_nothing_then_creates_all(world, client_for):
    client = await logged_in(client_for, world)
    token = await client.ensure_csrf()
    bad = "کلمات کلیدی,پاسخ,شماره خط\nسلام,درود,\nقیمت,,\n"
    response = await client.post("/autoreply/group", data={"_csrf_token": token}, files={"file": ("r.csv", bad.encode(), "text/csv")})
    assert response.status_code == 400
    assert 'data-row="3"' in response.text and "متن پاسخ خالی است." in response.text
    assert not await Responder.exists().where(Responder.owner == world.customer.id)
    good = bad.replace("قیمت,,", "قیمت,پنجاه هزار,")
    response = await client.post("/autoreply/group", data={"_csrf_token": token}, files={"file": ("r.csv", good.encode(), "text/csv")})
    assert response.status_code == 303
    assert await Responder.count().where(Responder.owner == world.customer.id) == 2
    wrong = await client.post("/autoreply/group", data={"_csrf_token": token}, files={"file": ("r.pdf", b"%PDF", "application/pdf")})
    assert wrong.status_code == 400 and "فایلی از نوع xlsx، xls یا csv بارگذاری کنید." in wrong.text


async def test_the_api_lists_creates_updates_and_deletes_responders_with_json_errors(world, client_for):
    api = await api_for(client_for, world)
    created = await api.post("/api/v1/autoreplies", json={"keywords": ["قیمت", "price"], "reply": "فهرست قیمت", "match": "contains"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["kind"], body["keywords"], body["match"], body["line_id"], body["fired"]) == (
        "keyword",
        ["قیمت", "price"],
        "contains",
        None,
        0,
    )
    default = await api.post("/api/v1/autoreplies", json={"kind": "default", "line_id": world.line.id, "reply": "پیش‌فرض"})
    assert default.status_code == 201 and default.json()["kind"] == "default"

    listed = await api.get("/api/v1/autoreplies")
    assert [r["id"] for r in listed.json()] == [body["id"], default.json()["id"]]
    assert [r["id"] for r in (await api.get("/api/v1/autoreplies?kind=default")).json()] == [default.json()["id"]]

    patched = await api.patch(f"/api/v1/autoreplies/{body['id']}", json={"enabled": False, "line_id": world.line.id})
    assert patched.status_code == 200
    assert (patched.json()["enabled"], patched.json()["line_id"], patched.json()["keywords"]) == (False, world.line.id, ["قیمت", "price"])
    put = await api.put(f"/api/v1/autoreplies/{default.json()['id']}", json={"reply": "پیش‌فرض تازه"})
    assert put.json()["reply"] == "پیش‌فرض تازه"

    duplicate = await api.post("/api/v1/autoreplies", json={"keywords": ["PRICE"], "reply": "x", "line_id": world.line.id})
    assert duplicate.status_code == 400 and duplicate.json()["error"]["code"] == "autoreply.keyword_taken"
    empty = await api.post("/api/v1/autoreplies", json={"keywords": [], "reply": "x"})
    assert empty.json()["error"]["code"] == "autoreply.keywords_empty"
    no_line = await api.post("/api/v1/autoreplies", json={"kind": "default", "reply": "x"})
    assert no_line.json()["error"]["code"] == "autoreply.default_needs_line"

    deleted = await api.delete(f"/api/v1/autoreplies/{body['id']}")
    assert deleted.status_code == 200
    assert (await api.get(f"/api/v1/autoreplies/{body['id']}")).status_code == 404


async def test_another_tenants_or_customers_responder_ids_answer_404_in_pages_and_api(app, factory, world, client_for, kit):
    stranger = await make_world(factory)
    theirs = await kit.keyword_responder(stranger, "سلام", "درود")
    theirs_default = await services.save_default(stranger.customer, stranger.line.id, "پیش‌فرض")
    colleague = await factory.user(world.tenant)
    colleagues = await services.create_responder(colleague, services.ResponderInput(["سلام"], "درود"))

    client = await logged_in(client_for, world)
    api = await api_for(client_for, world)
    for target in (theirs, theirs_default, colleagues):
        assert (await client.get(f"/autoreply/{target.id}/edit")).status_code == 404
        for action in ("edit", "toggle", "delete"):
            response = await client.post_form(f"/autoreply/{target.id}/{action}", {"keywords": "x", "reply_text": "y"})
            assert response.status_code == 404, action
        assert (await api.get(f"/api/v1/autoreplies/{target.id}")).status_code == 404
        assert (await api.patch(f"/api/v1/autoreplies/{target.id}", json={"enabled": False})).json()["error"]["code"] == "not_found"
        assert (await api.request("PUT", f"/api/v1/autoreplies/{target.id}")).status_code == 404  # no body: still 404 first
        assert (await api.delete(f"/api/v1/autoreplies/{target.id}")).status_code == 404
        row = await Responder.objects().where(Responder.id == target.id).first()
        assert row is not None and row.enabled and row.reply_text == target.reply_text
    assert (await api.get("/api/v1/autoreplies")).json() == []
    # Not even as a line: the stranger's line is not this customer's.
    response = await client.post_form("/autoreply/defaults", {"line_id": str(stranger.line.id), "reply_text": "x"})
    assert response.status_code == 400


async def test_staff_and_tenants_without_the_plugin_see_no_auto_reply(app, factory, client_for, kit):
    world = await make_world(factory)
    admin = await factory.user(world.tenant, "tenant_admin")
    staff_client = client_for(world.tenant)
    await staff_client.login(admin)
    assert (await staff_client.get("/autoreply")).status_code == 404

    await services.save_default(world.customer, world.line.id, "درود")
    others = [p for p in enabled_plugins(world.tenant) if p != "autoreply"]
    await Tenant.update({Tenant.plugins: others}).where(Tenant.id == world.tenant.id)
    client = await logged_in(client_for, world)
    assert (await client.get("/autoreply")).status_code == 404
    assert 'href="/autoreply"' not in (await client.get("/")).text
    message_id = await kit.receive(world.line, kit.new_sender(), "سلام")
    assert await kit.reply_of(message_id) is None
