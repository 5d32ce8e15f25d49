"""Wires the Telegram Application: settings, handlers, commands per language, daily job."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import os
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path

from telegram import Bot, BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.adapters.telegram.handlers import BRUSSELS, COMMANDS, GuideBot
from bot.config import ConfigError, Settings, load_dotenv_once
from bot.conversation import Core
from bot.knowledge.models import LANGS, Lang
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
    sources: tuple[Path, Path] | None = None,
) -> Application:  # type: ignore[type-arg]
    """sources: the knowledge and locales folders that SIGHUP reloads."""
    guide = GuideBot(core, storage, settings.default_lang)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await storage.open()
        if register:
            await register_commands(app)
        if daily_job and app.job_queue is not None:
            now = datetime.now(BRUSSELS)
            first = (now.replace(minute=0, second=5, microsecond=0) + timedelta(hours=1)) - now
            app.job_queue.run_repeating(_daily, interval=3600, first=first, name="daily-tips")
        if sources is not None:
            # SIGHUP (systemctl reload, guidebot reload) swaps in edited knowledge without a restart.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, guide.schedule_reload, *sources)
        log.info(
            "started: %d topics, %d tips, schema v%d",
            len(core.kb.topics),
            len(core.kb.tips),
            await storage.version(),
        )

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        if sources is not None:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
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


def pid_file(settings: Settings) -> Path:
    """Where `guidebot reload` finds the running bot: beside the database."""
    return settings.db_path.with_suffix(".pid")


def settings_or_none() -> Settings | None:
    """Settings from the environment and .env, or None after one line for the deployer."""
    load_dotenv_once()
    try:
        return Settings.from_env()
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return None


def run_telegram(args: argparse.Namespace) -> int:
    settings = settings_or_none()
    if settings is None:
        return 2
    webhook = bool(getattr(args, "webhook", False))
    if webhook and (not args.webhook_url or not args.secret_token):
        print(
            "Error: webhook mode needs --webhook-url and --secret-token (or GUIDEBOT_WEBHOOK_URL and GUIDEBOT_WEBHOOK_SECRET).",
            file=sys.stderr,
        )
        return 2
    setup_logging(
        settings.log_level,
        settings.log_json,
        secrets=(settings.token, getattr(args, "secret_token", None) or ""),
    )
    try:
        core = Core.load(args.knowledge, args.locales, settings.default_lang)
    except KnowledgeError as exc:
        for problem in exc.problems:
            log.error("%s", problem)
        return 1
    app = build_application(settings, core, Storage(settings.db_path), sources=(args.knowledge, args.locales))
    pid = pid_file(settings)
    pid.parent.mkdir(parents=True, exist_ok=True)
    pid.write_text(str(os.getpid()), encoding="utf-8")
    try:
        if webhook:
            from bot.adapters.telegram.server import serve_webhook

            asyncio.run(
                serve_webhook(
                    app,
                    listen=args.listen,
                    port=args.port,
                    public_url=args.webhook_url,
                    secret=args.secret_token,
                )
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    finally:
        pid.unlink(missing_ok=True)
    return 0


async def push_profile(bot: Bot, core: Core, default_lang: str) -> dict[str, int]:
    """Commands, descriptions and short descriptions for all four languages; unchanged ones are skipped."""
    changed = skipped = 0
    for lang in (*LANGS, None):
        text_lang: Lang = lang or default_lang  # type: ignore[assignment]
        commands = [BotCommand(c, core.t(text_lang, f"cmd.{c}")) for c in COMMANDS]
        description, short = core.t(text_lang, "bot.description"), core.t(text_lang, "bot.short_description")
        current = (
            [(c.command, c.description) for c in await bot.get_my_commands(language_code=lang)],
            (await bot.get_my_description(language_code=lang)).description,
            (await bot.get_my_short_description(language_code=lang)).short_description,
        )
        wanted = ([(c.command, c.description) for c in commands], description, short)
        setters = (
            functools.partial(bot.set_my_commands, commands, language_code=lang),
            functools.partial(bot.set_my_description, description, language_code=lang),
            functools.partial(bot.set_my_short_description, short, language_code=lang),
        )
        for have, want, setter in zip(current, wanted, setters, strict=True):
            if have == want:
                skipped += 1
            else:
                await setter()
                changed += 1
    return {"changed": changed, "unchanged": skipped}


def setup_telegram(args: argparse.Namespace) -> int:
    settings = settings_or_none()
    if settings is None:
        return 2
    setup_logging("WARNING", secrets=(settings.token,))
    core = Core.load(args.knowledge, args.locales, settings.default_lang)

    async def go() -> dict[str, int]:
        async with Bot(settings.token, base_url=settings.base_url) as bot:
            return await push_profile(bot, core, settings.default_lang)

    try:
        result = asyncio.run(go())
    except Exception as exc:
        print(
            f"Error: Telegram refused the setup ({type(exc).__name__}: {str(exc).replace(settings.token, '[token]')})",
            file=sys.stderr,
        )
        return 1
    print(
        f"setup: {result['changed']} settings updated, {result['unchanged']} already up to date (commands, description, short description x 4 languages + default)"
    )
    return 0


def reload_running(args: argparse.Namespace) -> int:
    """Validate first, then ask the running bot (pid file beside the database) to reload."""
    from bot.i18n import load_strings
    from bot.knowledge.loader import load_knowledge

    load_dotenv_once()
    try:
        load_knowledge(args.knowledge)
        load_strings(args.locales)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("Not reloaded: the bot keeps serving the previous version.", file=sys.stderr)
        return 1
    db = Path(os.environ.get("GUIDEBOT_DB", "").strip() or "guidebot.sqlite3")
    pid = Path(args.pid) if args.pid else db.with_suffix(".pid")
    try:
        os.kill(int(pid.read_text(encoding="utf-8").strip()), signal.SIGHUP)
    except (OSError, ValueError) as exc:
        print(f"Error: no running bot found through {pid} ({type(exc).__name__})", file=sys.stderr)
        return 1
    print(f"reload requested (pid file {pid})")
    return 0
