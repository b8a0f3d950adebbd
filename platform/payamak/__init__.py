"""Payamak: a multi-tenant, white-label SMS panel platform (the core).

Plugin authors import :data:`hookimpl` from here::

    from payamak import hookimpl
"""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("payamak")

__all__ = ["__version__", "hookimpl"]
