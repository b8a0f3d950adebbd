"""6-3 "may use a template": a responder that replies with one of the customer's templates (7)
sends the template's current text, and its own copy once the template is deleted."""

from __future__ import annotations

import pytest

from payamak.boxes import services as boxes
from payamak.errors import DomainError
from payamak_autoreply import services


async def test_a_responder_with_a_template_sends_its_current_text_and_keeps_a_copy_when_it_is_deleted(world, kit):
    template = await boxes.add_template(world.customer, "ساعت کاری: ۹ تا ۱۷")
    await services.save_default(world.customer, world.line.id, "", template_id=template.id)
    responder = (await services.default_responders(world.customer))[world.line.id]
    assert (responder.template_id, responder.reply_text) == (template.id, "ساعت کاری: ۹ تا ۱۷")

    _, sent = await kit.sent_reply(await kit.receive(world.line, kit.new_sender(), "سلام"))
    assert [m.text for m in sent] == ["ساعت کاری: ۹ تا ۱۷"]

    await boxes.update_template(world.customer, template.id, "ساعت کاری: ۸ تا ۱۶")
    _, sent = await kit.sent_reply(await kit.receive(world.line, kit.new_sender(), "سلام"))
    assert [m.text for m in sent] == ["ساعت کاری: ۸ تا ۱۶"]

    await boxes.delete_template(world.customer, template.id)
    _, sent = await kit.sent_reply(await kit.receive(world.line, kit.new_sender(), "سلام"))
    assert [m.text for m in sent] == ["ساعت کاری: ۹ تا ۱۷"]


async def test_another_customers_template_cannot_be_chosen(app, factory, world, kit):
    colleague = await factory.user(world.tenant)
    theirs = await boxes.add_template(colleague, "متن همکار")
    with pytest.raises(DomainError) as error:
        await services.create_responder(world.customer, services.ResponderInput(["سلام"], "", template_id=theirs.id))
    assert error.value.code == "autoreply.bad_template"
    mine = await boxes.add_template(world.customer, "متن من")
    responder = await services.create_responder(world.customer, services.ResponderInput(["سلام"], "نادیده", template_id=mine.id))
    assert responder.reply_text == "متن من"


async def test_the_form_offers_the_customers_templates(world, client_for):
    await boxes.add_template(world.customer, "متن نمونهٔ من")
    client = client_for(world.tenant)
    await client.login(world.customer)
    page = await client.get("/autoreply/new")
    assert 'name="template_id"' in page.text and "متن نمونهٔ من" in page.text
