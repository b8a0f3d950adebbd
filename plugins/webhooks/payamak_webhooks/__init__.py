"""Payamak webhooks: signed calls for delivery reports and incoming messages (panel section 11)."""
