"""The web layer: app factory, middleware, rendering, guards."""
