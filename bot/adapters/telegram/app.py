"""Wires the Telegram Application: settings, handlers, commands per language, daily job."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime, timedelta

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.adapters.telegram.handlers import BRUSSELS, COMMANDS, GuideBot
from bot.config import ConfigError, Settings, load_dotenv_once
from bot.conversation import Core
from bot.knowledge.models import LANGS
from bot.logs import setup_logging
from bot.problems import KnowledgeError
from bot.storage import Storage

log = logging.getLogger("bot.app")


async def register_commands(app: Application) -> None:  # type: ignore[type-arg]
    """The '/' menu in each user's language (setMyCommands with language_code)."""
    guide: GuideBot = app.bot_data["guide"]
    for lang in LANGS:
        commands = [BotCommand(c, guide.core.t(lang, f"cmd.{c}")) for c in COMMANDS]
        await app.bot.set_my_commands(commands, language_code=lang)
    await app.bot.set_my_commands(
        [BotCommand(c, guide.core.t(guide.default_lang, f"cmd.{c}")) for c in COMMANDS]
    )


def build_application(
    settings: Settings,
    core: Core,
    storage: Storage,
    *,
    rate_limit: bool = True,
    register: bool = True,
    daily_job: bool = True,
) -> Application:  # type: ignore[type-arg]
    guide = GuideBot(core, storage, settings.default_lang)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await storage.open()
        if register:
            await register_commands(app)
        if daily_job and app.job_queue is not None:
            now = datetime.now(BRUSSELS)
            first = (now.replace(minute=0, second=5, microsecond=0) + timedelta(hours=1)) - now
            app.job_queue.run_repeating(_daily, interval=3600, first=first, name="daily-tips")
        log.info(
            "started: %d topics, %d tips, schema v%d",
            len(core.kb.topics),
            len(core.kb.tips),
            await storage.version(),
        )

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        await storage.close()
        log.info("stopped")

    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_url.replace("/bot", "/file/bot"))
        .concurrent_updates(64)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=2))  # type: ignore[arg-type]
    app = builder.build()
    app.bot_data["guide"] = guide

    app.add_handler(TypeHandler(Update, guide.guard), group=-1)
    for name in COMMANDS:
        app.add_handler(CommandHandler(name, getattr(guide, name), filters=~filters.UpdateType.EDITED))
    app.add_handler(CallbackQueryHandler(guide.button))
    app.add_handler(InlineQueryHandler(guide.inline))
    app.add_handler(MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, guide.unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & filters.UpdateType.MESSAGE, guide.text))
    app.add_handler(
        MessageHandler(~filters.TEXT & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, guide.other)
    )
    app.add_error_handler(guide.on_error)
    return app


async def _daily(context: CallbackContext) -> None:  # type: ignore[type-arg]
    guide: GuideBot = context.application.bot_data["guide"]
    await guide.broadcast(context.bot, datetime.now(BRUSSELS))


def run_telegram(args: argparse.Namespace) -> int:
    load_dotenv_once()
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_json, secrets=(settings.token,))
    try:
        core = Core.load(args.knowledge, args.locales, settings.default_lang)
    except KnowledgeError as exc:
        for problem in exc.problems:
            log.error("%s", problem)
        return 1
    app = build_application(settings, core, Storage(settings.db_path))
    if getattr(args, "webhook", False):
        if not args.webhook_url or not args.secret_token:
            print(
                "Error: webhook mode needs --webhook-url and --secret-token (or GUIDEBOT_WEBHOOK_URL/SECRET).",
                file=sys.stderr,
            )
            return 2
        app.run_webhook(
            listen=args.listen,
            port=args.port,
            url_path="telegram",
            webhook_url=args.webhook_url.rstrip("/") + "/telegram",
            secret_token=args.secret_token,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


_ = ContextTypes
