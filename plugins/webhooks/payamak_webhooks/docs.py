"""11 The web service's documentation page inside the panel: copy-paste examples in curl and
Python for sending, checking a send's status, the balance and the inbox, filled with the
tenant's own address; the full reference is the OpenAPI schema and docs UI at /api/docs."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from payamak.web.guards import CUSTOMER
from payamak.web.rendering import page

KEY = "YOUR_API_KEY"


def examples(base: str) -> dict[str, dict[str, str]]:
    """The examples, by topic, in curl and Python, for the panel at ``base`` (no trailing slash)."""
    auth = f'-H "Authorization: Bearer {KEY}"'
    return {
        "balance": {
            "curl": f"curl -s {auth} {base}/api/v1/balance",
            "python": (
                "import requests\n\n"
                f'response = requests.get("{base}/api/v1/balance", headers={{"Authorization": "Bearer {KEY}"}}, timeout=30)\n'
                "print(response.json())  # {'available': ..., 'reserved': ..., 'currency': 'IRR'}"
            ),
        },
        "send": {
            "curl": (
                f'curl -s -X POST {auth} -H "Content-Type: application/json" '
                f'-d \'{{"to": ["09121234567"], "text": "Hello"}}\' {base}/api/v1/messages'
            ),
            "python": (
                "import requests\n\n"
                "response = requests.post(\n"
                f'    "{base}/api/v1/messages",\n'
                f'    headers={{"Authorization": "Bearer {KEY}"}},\n'
                '    json={"to": ["09121234567", "09351234567"], "text": "Hello", "line_id": None, "send_at": None},\n'
                "    timeout=30,\n"
                ")\n"
                "job = response.json()  # 201: {'id': ..., 'status': 'queued', 'recipients': 2, 'cost': ...}\n"
                'print(job["id"])'
            ),
        },
        "status": {
            "curl": f"curl -s {auth} {base}/api/v1/messages/JOB_ID",
            "python": (
                "import requests\n\n"
                f'response = requests.get(f"{base}/api/v1/messages/{{job_id}}", headers={{"Authorization": "Bearer {KEY}"}}, timeout=30)\n'
                'for row in response.json()["recipients_status"]:\n'
                '    print(row["number"], row["status"])  # queued, submitted, delivered, undelivered, ...'
            ),
        },
        "inbox": {
            "curl": f'curl -s {auth} "{base}/api/v1/inbox?limit=20"',
            "python": (
                "import requests\n\n"
                f'response = requests.get("{base}/api/v1/inbox", params={{"limit": 20}}, headers={{"Authorization": "Bearer {KEY}"}}, timeout=30)\n'
                "for message in response.json():\n"
                '    print(message["sender"], message["line"], message["text"])'
            ),
        },
        "verify": {
            "python": (
                "import hashlib, hmac, time\n\n"
                "def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:\n"
                '    """Check X-Payamak-Signature (t=<time>,v1=<hex>) of a webhook call."""\n'
                '    parts = dict(item.split("=", 1) for item in header.split(","))\n'
                '    timestamp = int(parts["t"])\n'
                "    if abs(time.time() - timestamp) > tolerance:\n"
                "        return False\n"
                '    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()\n'
                '    return hmac.compare_digest(expected, parts.get("v1", ""))'
            ),
        },
    }


@get("/services/api", guards=CUSTOMER)
async def api_page(request: Request) -> Template:
    """The API documentation page with examples for this panel's address."""
    base = str(request.base_url).rstrip("/")
    return page(request, "webhooks/api.html", base=base, examples=examples(base), key=KEY)
