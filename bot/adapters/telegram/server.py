"""Webhook mode: our own small HTTP server so that /healthz sits beside the webhook.

python-telegram-bot's built-in webhook server has no room for a health endpoint, so this follows
the library's custom-webhook pattern: Tornado receives Telegram's POST, checks the secret token on
every request, and puts the update on the Application's queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import time
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.http1connection import HTTP1Connection
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApp
from tornado.web import HTTPError, RequestHandler, stream_request_body

from bot.adapters.telegram.guide import GuideBot

log = logging.getLogger("bot.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram"


class Refusals:
    """Requests without the right secret: counted, and logged at most once a minute (a scanner
    hammering the port must not flood the journal)."""

    def __init__(self, every: float = 60.0) -> None:
        self.every, self.count, self._since_log, self._last = every, 0, 0, -1e9

    def note(self, why: str) -> None:
        self.count += 1
        self._since_log += 1
        now = time.monotonic()
        if now - self._last >= self.every:
            log.warning("webhook: refused %d request(s) (%s) in the last minute", self._since_log, why)
            self._last, self._since_log = now, 0


@stream_request_body
class TelegramHandler(RequestHandler):
    """The secret is checked on the headers, before a byte of the body is read; the body is read
    up to the limit only, and must be one JSON object."""

    def initialize(self, app: Application, secret: str, max_body: int, refusals: Refusals) -> None:  # type: ignore[type-arg]
        self.app, self.secret, self.max_body, self.refusals = app, secret, max_body, refusals
        self.body = bytearray()

    def prepare(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.refusals.note("wrong or missing secret")
            self._refuse(403)
            return
        declared = self.request.headers.get("Content-Length", "0")
        if not declared.isdigit() or int(declared) > self.max_body:
            self._refuse(413)
            return
        if isinstance(self.request.connection, HTTP1Connection):
            self.request.connection.set_max_body_size(self.max_body)

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        self.body += chunk
        if len(self.body) > self.max_body:
            self._refuse(413)

    def _refuse(self, status: int) -> None:
        self.set_status(status)
        self.finish()  # the connection closes: the rest of the body is never read

    async def post(self) -> None:
        try:
            data = json.loads(bytes(self.body) or b"{}")
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # any malformed body: refused, never a 500
            log.warning("webhook: malformed update refused (%s)", type(exc).__name__)
            self.set_status(400)
            return
        await self.app.update_queue.put(update)
        self.set_status(200)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:  # no request bodies in logs
        if isinstance(value, HTTPError) and value.status_code < 500:
            self.refusals.note(f"HTTP {value.status_code}")  # e.g. a GET: not our error
            return
        log.error("webhook: handler error (%s)", typ.__name__ if typ else "?")


class HealthHandler(RequestHandler):
    """200 with ok or degraded (questions are answered either way); 503 without knowledge."""

    def initialize(self, guide: GuideBot) -> None:
        self.guide = guide

    async def get(self) -> None:
        topics = len(self.guide.core.kb.topics)
        problem = await self.guide.store.health()
        status = "down" if not topics else "degraded" if problem else "ok"
        body: dict[str, object] = {"status": status, "topics": topics, "database": problem is None}
        if problem:
            body["reason"] = problem
        self.set_status(503 if status == "down" else 200)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


def web_app(app: Application, guide: GuideBot, secret: str, max_body: int = 1_000_000) -> WebApp:  # type: ignore[type-arg]
    refusals = Refusals()
    return WebApp(
        [
            (
                WEBHOOK_PATH,
                TelegramHandler,
                {"app": app, "secret": secret, "max_body": max_body, "refusals": refusals},
            ),
            ("/healthz", HealthHandler, {"guide": guide}),
        ],
        log_function=lambda handler: None,
    )


async def serve_webhook(
    app: Application,  # type: ignore[type-arg]
    *,
    listen: str,
    port: int,
    public_url: str,
    secret: str,
    max_body: int = 1_000_000,
    stop: asyncio.Event | None = None,
    started: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or `stop`): finish in-flight updates, close the database cleanly."""
    guide: GuideBot = app.bot_data["guide"]
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.bot.set_webhook(
            public_url.rstrip("/") + WEBHOOK_PATH, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        server = HTTPServer(web_app(app, guide, secret, max_body), max_body_size=max_body)
        server.listen(port, listen)
        log.info("webhook: listening on %s:%d", listen, port)
        if started is not None:
            started.set()
        try:
            await stop.wait()
        finally:
            log.info("webhook: shutting down")
            server.stop()
            await app.stop()  # lets running handlers finish
            if app.post_shutdown:
                await app.post_shutdown(app)
