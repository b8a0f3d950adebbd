"""An invoice as a PDF (fpdf2 with HarfBuzz shaping, so Persian is joined and right-to-left)."""

from __future__ import annotations

from pathlib import Path

from payamak.errors import DomainError
from payamak.i18n import get_locale, localize_digits
from payamak.i18n import lazy_gettext as _
from payamak.tables import Tenant, User
from payamak.web.formatting import jalali, money
from payamak_billing_zarinpal.services import loaded
from payamak_billing_zarinpal.tables import Invoice


def font_path() -> Path:
    """Vazirmatn from the front-end packages (``node_modules``), as the pages use it."""
    from payamak.web.app import find_vendor_dir

    vendor = find_vendor_dir()
    path = vendor / "vazirmatn" / "fonts" / "ttf" / "Vazirmatn-Regular.ttf" if vendor else None
    if path is None or not path.is_file():
        raise DomainError("billing.no_pdf_font", _("PDF invoices are not available on this server."), status_code=404)
    return path


def invoice_pdf(invoice: Invoice, tenant: Tenant, customer: User | None, tax_percent: int) -> bytes:
    """The invoice on one A4 page: seller, customer, items, price, tax, total and status (a refund with its reason)."""
    from fpdf import FPDF

    rtl = get_locale() == "fa"
    align = "R" if rtl else "L"
    pdf = FPDF(format="A4")
    pdf.set_title(str(_("Invoice %(number)s")) % {"number": invoice.number})
    pdf.add_page()
    pdf.add_font("Vazirmatn", "", str(font_path()))
    pdf.set_font("Vazirmatn", size=11)
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")

    def line(text: str, size: int = 11, height: float = 8) -> None:
        pdf.set_font_size(size)
        pdf.cell(w=0, h=height, text=text, align=align, new_x="LMARGIN", new_y="NEXT")

    def row(label: str, value: str) -> None:
        pdf.set_font_size(11)
        half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
        # Cells are laid left to right: in Persian the label goes on the right.
        for text in (value, label) if rtl else (label, value):
            pdf.cell(w=half, h=8, text=text, border=1, align=align)
        pdf.ln(8)

    line(str(_("Invoice %(number)s")) % {"number": localize_digits(str(invoice.number))}, size=16, height=12)
    line(tenant.name)
    who = f"{customer.first_name} {customer.last_name}".strip() if customer else ""
    line(f"{_('Customer:')} {who}    {_('Date:')} {jalali(invoice.created_at, with_time=False)}")
    pdf.ln(4)
    row(str(_("Description")), str(_("Amount (Rials)")))
    for item in loaded(invoice.items) or []:
        row(str(item.get("description", "")), money(item.get("amount", 0)))
    row(str(_("Price")), money(invoice.subtotal))
    row(str(_("Tax (%(percent)s%%)")) % {"percent": localize_digits(str(tax_percent))}, money(invoice.tax))
    row(str(_("Total")), money(invoice.total))
    pdf.ln(4)
    if invoice.status == "unpaid":
        line(str(_("Unpaid")))
    else:
        line(str(_("Paid on %(date)s")) % {"date": jalali(invoice.paid_at, with_time=False)})
    if invoice.status == "refunded":
        line(str(_("Refunded on %(date)s")) % {"date": jalali(invoice.refunded_at, with_time=False)})
        # The reason is free text of any length: wrapped, not cut at the page's edge.
        pdf.multi_cell(w=0, h=8, text=str(_("Reason for the refund: %(reason)s")) % {"reason": invoice.refund_reason}, align=align)
    return bytes(pdf.output())
