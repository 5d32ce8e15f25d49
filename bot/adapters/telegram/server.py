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
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApp
from tornado.web import RequestHandler

from bot.adapters.telegram.guide import GuideBot

log = logging.getLogger("bot.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram"


class TelegramHandler(RequestHandler):
    def initialize(self, app: Application, secret: str) -> None:  # type: ignore[type-arg]
        self.app, self.secret = app, secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook: request with a wrong secret token refused")
            self.set_status(403)
            return
        try:
            update = Update.de_json(json.loads(self.request.body or b"{}"), self.app.bot)
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        await self.app.update_queue.put(update)
        self.set_status(200)

    def log_exception(self, *args: Any) -> None:  # no request bodies in logs
        log.error("webhook: handler error")


class HealthHandler(RequestHandler):
    def initialize(self, guide: GuideBot) -> None:
        self.guide = guide

    async def get(self) -> None:
        knowledge = len(self.guide.core.kb.topics) > 0
        database = await self.guide.storage.writable()
        self.set_status(200 if knowledge and database else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(
            json.dumps(
                {"knowledge": knowledge, "topics": len(self.guide.core.kb.topics), "database": database}
            )
        )


def web_app(app: Application, guide: GuideBot, secret: str) -> WebApp:  # type: ignore[type-arg]
    return WebApp(
        [
            (WEBHOOK_PATH, TelegramHandler, {"app": app, "secret": secret}),
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
        server = HTTPServer(web_app(app, guide, secret))
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
