"""A local HTTP server that speaks the few Stripe endpoints the Stripe processor calls, and
signs webhook events as Stripe does. Stripe is a paid outside service we cannot reach from
tests: this is the one stand-in the project allows. It replays the first response for a
repeated idempotency key, as Stripe does, and records every request for the tests to read."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from enrollment_tracks.ecommerce.processors.signatures import signature_header

WEBHOOK_SECRET = "whsec_test_local"
API_KEY = "sk_test_local"


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    idempotency_key: str | None
    authorization: str | None


@dataclass
class FakeStripe:
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    refuse_refunds: bool = False
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ what Stripe does

    def handle(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path == "/v1/checkout/sessions":
            number = next(self.counter)
            session = {
                "id": f"cs_test_{number}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/cs_test_{number}",
                "mode": form["mode"],
                "status": "open",
                "payment_status": "unpaid",
                "payment_intent": None,
                "client_reference_id": form["client_reference_id"],
                "customer_email": form.get("customer_email"),
                "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                "currency": form["line_items[0][price_data][currency]"],
                "metadata": {"order_number": form["metadata[order_number]"]},
                "success_url": form["success_url"],
                "cancel_url": form["cancel_url"],
            }
            self.sessions[session["id"]] = session
            return 200, session
        if method == "GET" and path.startswith("/v1/checkout/sessions/"):
            session = self.sessions.get(path.rsplit("/", 1)[1])
            if session is None:
                return 404, {
                    "error": {"type": "invalid_request_error", "message": "No such session"}
                }
            return 200, session
        if method == "POST" and path == "/v1/refunds":
            if self.refuse_refunds:
                return 400, {
                    "error": {"type": "invalid_request_error", "message": "Charge already refunded"}
                }
            number = next(self.counter)
            refund = {
                "id": f"re_test_{number}",
                "object": "refund",
                "status": "succeeded",
                "amount": int(form["amount"]),
                "payment_intent": form["payment_intent"],
                "metadata": {"order_number": form.get("metadata[order_number]", "")},
            }
            self.refunds[refund["id"]] = refund
            return 200, refund
        return 404, {"error": {"type": "invalid_request_error", "message": f"{method} {path}"}}

    def respond(
        self, method: str, path: str, form: dict[str, str], key: str | None
    ) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if key is not None and key in self.replies:
                return self.replies[key]
            reply = self.handle(method, path, form)
            if key is not None:
                self.replies[key] = reply
            return reply

    # ------------------------------------------------------------------ test controls

    def complete(self, session_id: str) -> dict[str, Any]:
        """The learner paid on Stripe's page."""
        session = self.sessions[session_id]
        session.update(
            status="complete", payment_status="paid", payment_intent=f"pi_{session_id[8:]}"
        )
        return session

    def posts(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]


def event(
    event_type: str, obj: dict[str, Any], *, event_id: str, created: int | None = None
) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": created or int(time.time()),
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": obj},
        }
    ).encode()


def signed(body: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send for ``body``."""
    return signature_header(secret, body, at if at is not None else int(time.time()))


def start(state: FakeStripe) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            form = dict(parse_qsl(raw, keep_blank_values=True))
            path = self.path.split("?", 1)[0]
            key = self.headers.get("Idempotency-Key")
            state.requests.append(
                Recorded(self.command, path, form, key, self.headers.get("Authorization"))
            )
            status, body = state.respond(self.command, path, form, key)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", f"req_{len(state.requests)}")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
