"""15 Trash: deleting from the inbox moves a message here; restore it or delete it for good, one or several."""

from __future__ import annotations

from payamak.boxes import services
from payamak.messaging.tables import InboundMessage
from tests.boxes.conftest import receive
from tests.helpers import text_of


async def folders(*ids: int) -> list[str | None]:
    out = []
    for message_id in ids:
        row = await InboundMessage.select(InboundMessage.folder).where(InboundMessage.id == message_id).first()
        out.append(row["folder"] if row else None)
    return out


async def test_delete_moves_to_the_trash_restore_returns_to_the_inbox_and_delete_for_good_removes(world, client):
    one = await receive(world, "پیام یک", "09121110001")
    two = await receive(world, "پیام دو", "09121110002")
    three = await receive(world, "پیام سه", "09121110003")

    # One message, from its row's button: to the trash, back to the same list.
    moved = await client.post_form(f"/inbox/{one}/delete", {"next": "/inbox?text=x"})
    assert moved.status_code == 303 and moved.headers["location"] == "/inbox?text=x"
    assert await folders(one, two, three) == ["trash", "inbox", "inbox"]
    inbox = await client.get("/inbox")
    assert "پیام یک" not in inbox.text and "پیام به زباله‌دان منتقل شد." in inbox.text
    trash = await client.get("/trash")
    assert "پیام یک" in trash.text and "پیام دو" not in trash.text

    # Several selected at once.
    await client.post_form("/inbox/delete", {"ids": [str(two), str(three)]})
    assert await folders(one, two, three) == ["trash", "trash", "trash"]
    assert "۲ پیام به زباله‌دان منتقل شد." in text_of((await client.get("/trash")).text)

    # Restore one, then restore the selected.
    await client.post_form(f"/trash/{one}/restore")
    assert await folders(one, two, three) == ["inbox", "trash", "trash"]
    assert "پیام یک" in (await client.get("/inbox")).text
    await client.post_form("/trash/restore", {"ids": [str(two)]})
    assert await folders(one, two, three) == ["inbox", "inbox", "trash"]

    # Delete for good: one, then the selected.
    await client.post_form(f"/trash/{three}/purge")
    assert await folders(three) == [None]
    await services.move_to_trash(world.customer, [one, two])
    purged = await client.post_form("/trash/purge", {"ids": [str(one), str(two)]})
    assert purged.status_code == 303
    assert await folders(one, two) == [None, None]
    assert "زباله‌دان خالی است." in (await client.get("/trash")).text


async def test_trash_actions_answer_404_for_messages_not_in_the_trash_and_need_a_selection(world, client):
    in_inbox = await receive(world, "هنوز در صندوق", "09121110001")
    assert (await client.post_form(f"/trash/{in_inbox}/purge")).status_code == 404
    assert (await client.post_form(f"/trash/{in_inbox}/restore")).status_code == 404
    await services.move_to_trash(world.customer, [in_inbox])
    assert (await client.post_form(f"/inbox/{in_inbox}/delete")).status_code == 404
    assert (await client.get(f"/inbox/{in_inbox}/reply")).status_code == 404

    nothing = await client.post_form("/trash/purge", {}, headers={"referer": "/trash"})
    assert nothing.status_code == 303
    assert "دست‌کم یک پیام را انتخاب کنید." in (await client.get("/trash")).text
    assert await folders(in_inbox) == ["trash"]
