"""The dashboard (section 1) and the tenant admin's announcements."""
