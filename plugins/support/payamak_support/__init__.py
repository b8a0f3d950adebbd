"""Payamak support tickets (panel section 16)."""
