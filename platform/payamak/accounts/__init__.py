"""Accounts: users, roles, passwords, sessions, API keys."""
