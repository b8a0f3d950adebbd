"""``payamak.app:create_app``: the ASGI application factory (see ``payamak.web.app``)."""

from payamak.web.app import create_app

__all__ = ["create_app"]
