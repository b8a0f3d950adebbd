"""The platform operator's console: tenants and their admins (on the platform's own host)."""
