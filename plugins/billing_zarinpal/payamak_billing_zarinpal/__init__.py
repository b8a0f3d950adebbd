"""Payamak billing with ZarinPal: credit purchases, invoices and sender-line requests."""
