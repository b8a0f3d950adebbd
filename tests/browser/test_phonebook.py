"""The phonebook in a real browser: a group, a field, a contact, a CSV import, the group's list, an export."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.async_api import Page, expect

from tests.browser.test_foundation import log_in, url
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def small_csv() -> bytes:
    """Two contacts in the group, as Persian Excel saves “CSV” (Windows-1256, Arabic ي for ی)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(
        [
            ["نام", "موبایل", "شهر", "گروه‌ها"],
            ["مینا کاظمی", "09127770002", "مشهد", "مشتریان ویژه"],
            ["رضا نادری", "09127770003", "", "مشتریان ویژه، همکاران"],
        ]
    )
    return buffer.getvalue().replace("ی", "ي").encode("cp1256")


async def test_customer_builds_a_group_adds_a_contact_imports_a_csv_sees_the_group_and_exports_it(factory, live_server, browser_page):
    page: Page = browser_page
    tenant = await factory.tenant(name="پیامک دفترچه")
    customer = await factory.user(tenant, first_name="نگار")
    await page.goto(url(tenant, live_server, "/login"))
    await log_in(page, customer.username, PASSWORD)

    # The menu entry, then 9-2: a new group.
    menu = page.locator("nav.sidebar a[href='/phonebook']")
    await expect(menu).to_have_text("دفترچه تلفن")
    await menu.click()
    await expect(page.locator("main h1")).to_have_text("همه مخاطبین")
    await page.click("nav.phonebook-tabs a[href='/phonebook/groups']")
    await page.fill("#group-create input[name=name]", "مشتریان ویژه")
    await page.click("#group-create button[type=submit]")
    await expect(page.locator(".flash[role=status]")).to_have_text("گروه ساخته شد.")
    await expect(page.locator("#groups tbody tr")).to_have_count(1)

    # A custom field, then 9-3: a contact with it, filed in the group.
    await page.click("nav.phonebook-tabs a[href='/phonebook/fields']")
    await page.fill("#field-create input[name=name]", "شهر")
    await page.select_option("#field-create select[name=kind]", "text")
    await page.click("#field-create button[type=submit]")
    await expect(page.locator(".flash[role=status]")).to_have_text("شاخص به همهٔ مخاطبان افزوده شد.")
    await page.click("nav.phonebook-tabs a[href='/phonebook/contacts/new']")
    await expect(page.locator("main h1")).to_have_text("ثبت مخاطب جدید")
    await page.fill("#contact-form input[name=name]", "سپیده امینی")
    await page.fill("#contact-form input[name=number]", "۰۹۱۲ ۷۷۷ ۰۰۰۱")
    await page.get_by_label("شهر").fill("تبریز")
    await page.get_by_label("مشتریان ویژه").check()
    await page.click("#contact-form button[type=submit]")
    await page.wait_for_url("**/phonebook")
    await expect(page.locator(".flash[role=status]")).to_have_text("مخاطب ثبت شد.")
    row = page.locator("#contacts tbody tr", has_text="سپیده امینی")
    await expect(row).to_contain_text("۰۹۱۲۷۷۷۰۰۰۱")
    await expect(row).to_contain_text("تبریز")

    # 9-4: a small CSV, imported at once.
    await page.click("nav.phonebook-tabs a[href='/phonebook/import']")
    await expect(page.locator("main")).to_contain_text("نام، موبایل، شهر، گروه‌ها")
    await page.set_input_files(
        "#import-form input[type=file]", files=[{"name": "contacts.csv", "mimeType": "text/csv", "buffer": small_csv()}]
    )
    await page.click("#import-form button[type=submit]")
    await page.wait_for_url("**/phonebook")
    await expect(page.locator(".flash[role=status]")).to_have_text("درون‌برد انجام شد: ۲ مخاطب جدید، ۰ مخاطب به‌روز شد.")

    # The group holds all three; its link lists them.
    await page.click("nav.phonebook-tabs a[href='/phonebook/groups']")
    group_row = page.locator("#groups tbody tr", has_text="مشتریان ویژه")
    await expect(group_row.locator("td").nth(1)).to_have_text("۳")
    await group_row.locator("a", has_text="مشتریان ویژه").click()
    await expect(page.locator("main h1")).to_have_text("گروه «مشتریان ویژه»")
    await expect(page.locator("#contacts tbody tr")).to_have_count(3)
    for name in ("سپیده امینی", "مینا کاظمی", "رضا نادری"):
        await expect(page.locator("#contacts tbody")).to_contain_text(name)
    await expect(page.locator("#contacts tbody tr", has_text="مینا کاظمی")).to_contain_text("مشهد")

    # 9-5: the group's CSV, UTF-8 with BOM and CRLF, Persian intact.
    await page.click("nav.phonebook-tabs a[href='/phonebook/export']")
    await page.select_option("#export-form select[name=group]", label="گروه «مشتریان ویژه» (۳)")
    async with page.expect_download() as info:
        await page.click("#export-form button[type=submit]")
    download = await info.value
    assert download.suggested_filename == "phonebook.csv"
    data = open(await download.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 4
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["نام", "موبایل", "شهر", "گروه‌ها"]
    assert sorted(rows[1:]) == sorted(
        [
            ["سپیده امینی", "09127770001", "تبریز", "مشتریان ویژه"],
            ["مینا کاظمی", "09127770002", "مشهد", "مشتریان ویژه"],
            ["رضا نادری", "09127770003", "", "مشتریان ویژه، همکاران"],
        ]
    )
