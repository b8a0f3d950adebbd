"""Payamak reports: sent and received over Jalali ranges, charts, .xlsx exports, dashboard widgets (panel sections 1 and 8)."""
