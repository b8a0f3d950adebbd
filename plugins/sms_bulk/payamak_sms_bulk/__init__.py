"""Payamak bulk advertising sends (panel section 3) and the bulk report (8-3)."""
