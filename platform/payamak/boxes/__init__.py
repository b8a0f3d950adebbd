"""The message boxes of the panel: 4 Inbox, 5 Outbox (5-1 scheduled sends), 7 Templates, 15 Trash."""
