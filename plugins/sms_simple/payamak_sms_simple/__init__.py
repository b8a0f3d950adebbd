"""Payamak's send pages (panel section 2, «ارسال پیامک»).

- **Simple send** (2-1, ``/send/simple``): recipients from the customer's recipient sources (the
  phonebook: searched contacts and whole groups) and typed numbers, at most 1,000 after
  duplicates are removed; a typed text or a saved template, its characters, parts and cost
  counted live; now or at a Jalali date and time.
- **Advanced send** (2-2, ``/send/advanced``): the numbers of an uploaded ``.txt`` (any count);
  a first step reports valid, duplicated and invalid lines and the cost, the second sends.
- **Peer-to-peer send** (2-3, ``/send/p2p``): an ``.xlsx``, ``.xls`` or ``.csv`` whose rows each
  hold a number, its own text and an optional Jalali time; every row is checked and previewed,
  and nothing is sent while any row is wrong. ``POST /api/v1/send/p2p`` does the same from JSON.

Uploaded numbers and rows wait between the two steps in files under the var dir, named by a
random token bound to the tenant and user who uploaded them (:mod:`payamak_sms_simple.uploads`).
"""
