"""Browser tests: the panel driven through Debian's Chromium (Playwright)."""
