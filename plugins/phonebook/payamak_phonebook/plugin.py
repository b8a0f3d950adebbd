"""Hook implementations of the phonebook plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payamak import hookimpl
from payamak.registry import MenuEntry

HERE = Path(__file__).parent


@hookimpl
def payamak_piccolo_apps() -> list[str]:
    return ["payamak_phonebook.piccolo_app"]


@hookimpl
def payamak_route_handlers() -> list[Any]:
    from payamak_phonebook import api, routes, routes_files

    return [*routes.HANDLERS, *routes_files.HANDLERS, *api.HANDLERS]


@hookimpl
def payamak_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def payamak_locale_dirs() -> list[str]:
    return [str(HERE / "locale")]


@hookimpl
def payamak_menu_entries() -> list[MenuEntry]:
    from payamak.i18n import lazy_gettext as _

    return [MenuEntry(_("Phonebook"), "/phonebook", "book", 90, ("customer",))]


@hookimpl
def payamak_actor_modules() -> list[str]:
    return ["payamak_phonebook.actors"]


@hookimpl
def payamak_periodic_tasks() -> list[tuple[str, int]]:
    return [("phonebook_resume_imports", 60)]


@hookimpl
def payamak_recipient_sources() -> list[Any]:
    from payamak_phonebook.source import PhonebookRecipients

    return [PhonebookRecipients()]
