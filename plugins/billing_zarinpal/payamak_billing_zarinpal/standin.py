"""A local ZarinPal stand-in: the same v4 HTTP API on loopback, for development, the demo and tests.

``POST /pg/v4/payment/request.json``, ``GET /pg/StartPay/{authority}`` (a page with "pay" and
"cancel"), ``POST /pg/v4/payment/verify.json`` (100, then 101 for an already verified payment,
-50 for another amount, -51 for an unpaid, cancelled or expired one, -54 for an unknown
authority) and ``POST /pg/v4/payment/unVerified.json``. Payments live in memory (a
:class:`Ledger` can outlive one server so tests can stop and restart it).
"""

from __future__ import annotations

import asyncio
import html
import secrets
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, Request, get, post
from litestar.response import Redirect, Response

EXPIRE_SECONDS = 15 * 60


@dataclass
class StandInPayment:
    """One payment the stand-in opened."""

    authority: str
    merchant_id: str
    amount: int
    callback_url: str
    description: str
    created: float = field(default_factory=time.time)
    status: str = "pending"  # pending, paid, cancelled, verified
    ref_id: int = 0


@dataclass
class Ledger:
    """The stand-in's payments by authority."""

    payments: dict[str, StandInPayment] = field(default_factory=dict)
    expire_seconds: float = EXPIRE_SECONDS

    def expired(self, payment: StandInPayment) -> bool:
        return payment.status == "pending" and time.time() - payment.created > self.expire_seconds


def _ok(data: dict[str, Any]) -> Response:
    return Response({"data": data, "errors": []}, status_code=200)


def _fail(code: int, message: str, status: int = 400) -> Response:
    return Response({"data": [], "errors": {"code": code, "message": message, "validations": []}}, status_code=status)


def _valid_merchant(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 36 and value.count("-") == 4


def make_app(ledger: Ledger) -> Litestar:
    """The stand-in's ASGI app over ``ledger``."""

    @post("/pg/v4/payment/request.json")
    async def request_payment(data: dict[str, Any]) -> Response:
        if not _valid_merchant(data.get("merchant_id")):
            return _fail(-10, "Terminal is not valid, please check merchant_id or ip address.")
        amount, callback = data.get("amount"), data.get("callback_url")
        if not isinstance(amount, int) or amount < 1000 or not isinstance(callback, str) or not callback.startswith("http"):
            return _fail(-9, "The input params invalid, validation error.")
        authority = "A" + secrets.token_hex(18)[:35]
        ledger.payments[authority] = StandInPayment(authority, data["merchant_id"], amount, callback, str(data.get("description", "")))
        return _ok({"code": 100, "message": "Success", "authority": authority, "fee_type": "Merchant", "fee": 0})

    @post("/pg/v4/payment/verify.json")
    async def verify(data: dict[str, Any]) -> Response:
        payment = ledger.payments.get(str(data.get("authority", "")))
        if payment is None:
            return _fail(-54, "Invalid authority.")
        if payment.merchant_id != data.get("merchant_id"):
            return _fail(-53, "Session is not this merchant_id session.")
        if payment.amount != data.get("amount"):
            return _fail(-50, "Session is not valid, amounts values is not the same.")
        if payment.status == "verified":
            return _ok(
                {
                    "code": 101,
                    "message": "Verified",
                    "ref_id": payment.ref_id,
                    "card_pan": "502229******5995",
                    "card_hash": "stand-in",
                    "fee_type": "Merchant",
                    "fee": 0,
                }
            )
        if payment.status != "paid":
            return _fail(-51, "Session is not valid, session is not active paid try.")
        payment.status = "verified"
        payment.ref_id = payment.ref_id or int(time.time() * 1000) % 10**9 + secrets.randbelow(1000)
        return _ok(
            {
                "code": 100,
                "message": "Verified",
                "ref_id": payment.ref_id,
                "card_pan": "502229******5995",
                "card_hash": "stand-in",
                "fee_type": "Merchant",
                "fee": 0,
            }
        )

    @post("/pg/v4/payment/unVerified.json")
    async def unverified(data: dict[str, Any]) -> Response:
        if not _valid_merchant(data.get("merchant_id")):
            return _fail(-10, "Terminal is not valid, please check merchant_id or ip address.")
        rows = [
            {
                "authority": p.authority,
                "amount": p.amount,
                "callback_url": p.callback_url,
                "referer": "",
                "date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(p.created)),
            }
            for p in ledger.payments.values()
            if p.merchant_id == data["merchant_id"] and p.status == "paid"
        ]
        return _ok({"code": 100, "message": "Success", "authorities": rows})

    @get("/pg/StartPay/{authority:str}")
    async def start_pay(authority: str) -> Response:
        payment = ledger.payments.get(authority)
        if payment is None or payment.status != "pending" or ledger.expired(payment):
            return Response(
                "<!doctype html><title>ZarinPal stand-in</title><p>Invalid or expired payment.</p>", media_type="text/html", status_code=404
            )
        body = f"""<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>ZarinPal stand-in</title></head>
<body><h1>درگاه آزمایشی زرین‌پال</h1><p class="amount">{payment.amount:,} ریال</p><p>{html.escape(payment.description)}</p>
<form method="post" action="/pg/StartPay/{authority}"><input type="hidden" name="action" value="pay"><button type="submit" id="pay">پرداخت</button></form>
<form method="post" action="/pg/StartPay/{authority}"><input type="hidden" name="action" value="cancel"><button type="submit" id="cancel">انصراف</button></form>
</body></html>"""
        return Response(body, media_type="text/html")

    @post("/pg/StartPay/{authority:str}")
    async def start_pay_submit(request: Request, authority: str) -> Response | Redirect:
        payment = ledger.payments.get(authority)
        if payment is None or payment.status != "pending" or ledger.expired(payment):
            return Response("Invalid or expired payment.", media_type="text/plain", status_code=404)
        form = await request.form()
        paid = form.get("action") == "pay"
        payment.status = "paid" if paid else "cancelled"
        separator = "&" if "?" in payment.callback_url else "?"
        return Redirect(
            payment.callback_url + separator + urlencode({"Authority": authority, "Status": "OK" if paid else "NOK"}), status_code=303
        )

    return Litestar(route_handlers=[request_payment, verify, unverified, start_pay, start_pay_submit], debug=False, openapi_config=None)


class StandIn:
    """A stand-in server on 127.0.0.1: ``await start()``, ``url``, ``await stop()``."""

    def __init__(self, port: int = 0, ledger: Ledger | None = None) -> None:
        self.port = port
        self.ledger = ledger or Ledger()
        self._server: Any = None
        self._task: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen (on a free port when ``port`` is 0); raises OSError when the port is taken."""
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(make_app(self.ledger), log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop listening (the ledger stays)."""
        if self._server is not None:
            self._server.should_exit = True
            await self._task
            self._server = None
