"""The test plugin's pages: a list of notes and a form that enqueues the actor."""

from litestar import Request, get, post
from litestar.response import Redirect, Template

from payamak.tenancy import scoped
from payamak.web.forms import form_data
from payamak.web.guards import PANEL
from payamak.web.rendering import page
from payamak_testplugin.tables import Note


@get("/testplugin/notes", guards=PANEL)
async def notes_page(request: Request) -> Template:
    notes = await scoped(Note).objects().order_by(Note.id)
    return page(request, "testplugin/notes.html", notes=notes)


@post("/testplugin/notes", guards=PANEL)
async def notes_add(request: Request) -> Redirect:
    from payamak_testplugin.actors import record_note

    data = await form_data(request)
    record_note.send(request.state.tenant.id, str(data.get("text", "")))
    return Redirect("/testplugin/notes", status_code=303)


@get("/api/v1/testplugin/notes", guards=PANEL[1:])
async def notes_api(request: Request) -> list[dict]:
    return await scoped(Note).select(Note.id, Note.text, Note.source).order_by(Note.id)
