"""The messaging core: numbers, text, lines, credit, the send pipeline, receipts, inbound."""
