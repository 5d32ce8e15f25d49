"""Wires the Telegram Application from the feature modules; runs, sets up and reloads the bot.

Errors are raised (ConfigError: exit 2, CommandFailed: exit 1) for the CLI to report; nothing here
prints or exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, Defaults

from bot.adapters.telegram import buttons, commands, flood, inline, messages, tips
from bot.adapters.telegram.context import CONTEXT_TYPES, App, GuideContext
from bot.adapters.telegram.deliver import outcome_unknown
from bot.adapters.telegram.guide import GuideBot
from bot.adapters.telegram.profile import push_profile, register_commands
from bot.config import ConfigError, Settings
from bot.core.core import Core
from bot.logs import setup_logging
from bot.problems import CommandFailed, KnowledgeError
from bot.storage import Storage
from bot.storage_guard import StorageGuard

log = logging.getLogger("bot.app")
ERROR_KEY = "error"  # what a user is told when handling their update failed
FEATURES = (flood, commands, buttons, inline, messages)  # registration order is matching order
DEFAULTS = Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))


def build_application(
    settings: Settings,
    core: Core,
    storage: Storage,
    *,
    rate_limit: bool = True,
    register: bool = True,
    daily_job: bool = True,
    sources: tuple[Path, Path] | None = None,
) -> App:
    """sources: the knowledge and locales folders that SIGHUP reloads."""
    guide = GuideBot(
        core,
        StorageGuard(storage),
        settings.default_lang,
        cache=settings.cache,
        keep_counts_months=settings.keep_counts_months,
    )

    async def post_init(app: App) -> None:
        await guide.store.start()  # never fails: a database problem means degraded, not down
        if register:
            await register_commands(app.bot, guide.core, guide.default_lang)
        if daily_job:
            tips.register(app)
        if sources is not None:
            # SIGHUP (systemctl reload, guidebot reload) swaps in edited knowledge without a restart.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, guide.schedule_reload, *sources)
        log.info(
            "started: %d topics, %d tips, storage %s",
            len(core.kb.topics),
            len(core.kb.tips),
            "ok" if guide.store.available else "unavailable",
        )

    async def post_shutdown(app: App) -> None:
        if sources is not None:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        await guide.store.stop()
        log.info("stopped")

    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.base_url)
        .base_file_url(settings.base_url.replace("/bot", "/file/bot"))
        .defaults(DEFAULTS)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(64)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=2))  # type: ignore[arg-type]
    app: App = builder.build()
    app.bot_data["guide"] = guide
    for feature in FEATURES:
        feature.register(app)
    app.add_error_handler(on_error)
    return app


async def on_error(update: object, context: GuideContext) -> None:
    """Logs the error type only (no update, no user data); tells the user something went wrong,
    unless the reply may have arrived (an apology after a delivered answer only confuses)."""
    error = context.error
    if isinstance(error, TelegramError) and outcome_unknown(error):
        log.warning("update: reply outcome unknown (%s); no apology sent", type(error).__name__)
        return
    log.error("update failed: %s", type(error).__name__)
    if isinstance(update, Update) and update.effective_chat is not None:
        guide = context.guide
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                update.effective_chat.id, guide.core.t(guide.lang_for(update), ERROR_KEY)
            )


def run_telegram(settings: Settings, webhook: bool = False) -> None:
    """Polling, or webhook mode; returns when the bot stops."""
    settings.require_token()
    hook = settings.webhook
    if webhook and (not hook.url or not hook.secret):
        raise ConfigError(
            "webhook mode needs --webhook-url and --secret-token (or GUIDEBOT_WEBHOOK_URL and GUIDEBOT_WEBHOOK_SECRET)."
        )
    setup_logging(settings.log_level, settings.log_json, secrets=(settings.token, hook.secret))
    with single_instance(settings.pid_file):
        wait_for_telegram(settings)
        core = Core.load(settings.knowledge, settings.locales, settings.default_lang, cache=settings.cache)
        app = build_application(
            settings, core, Storage(settings.db_path), sources=(settings.knowledge, settings.locales)
        )
        if webhook:
            from bot.adapters.telegram.server import serve_webhook

            asyncio.run(
                serve_webhook(
                    app,
                    listen=hook.listen,
                    port=hook.port,
                    public_url=hook.url,
                    secret=hook.secret,
                    max_body=hook.max_body,
                )
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)


@contextlib.contextmanager
def single_instance(path: Path) -> Iterator[None]:
    """One bot per database: its pid file is held with an exclusive lock while the bot runs (the
    kernel frees it when the process dies, so a stale file never blocks a start). A pid file that
    cannot be written costs only `guidebot reload`, never the bot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        log.warning(
            "pid file %s cannot be written (%s): guidebot reload will not find this bot",
            path,
            type(exc).__name__,
        )
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        other = handle.read().strip() or "?"
        handle.close()
        raise CommandFailed(
            f"another guidebot is already running on this database (pid {other}, {path})"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        handle.close()


def wait_for_telegram(
    settings: Settings, first_delay: float = 1.0, max_delay: float = 60.0, attempts: int | None = None
) -> None:
    """Start-up: until Telegram answers getMe, retry with backoff and jitter, one line per attempt.
    A rejected token is a configuration error (exit 2), said without the token."""

    async def once() -> None:
        async with Bot(settings.require_token(), base_url=settings.base_url) as bot:
            await bot.get_me()

    attempt = 0
    while True:
        attempt += 1
        try:
            asyncio.run(once())
            return
        except InvalidToken:
            raise ConfigError("Telegram rejected the token (check GUIDEBOT_TELEGRAM_TOKEN)") from None
        except TelegramError as exc:
            if attempts is not None and attempt >= attempts:
                raise CommandFailed(
                    f"Telegram did not answer after {attempt} attempts ({type(exc).__name__})"
                ) from None
            delay = min(max_delay, first_delay * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
            log.warning(
                "telegram: not reachable at start-up (%s), attempt %d; retrying in %.1f s",
                type(exc).__name__,
                attempt,
                delay,
            )
            time.sleep(delay)


def setup_telegram(settings: Settings, core: Core) -> dict[str, int]:
    token = settings.require_token()
    setup_logging("WARNING", secrets=(token,))

    async def go() -> dict[str, int]:
        async with Bot(token, base_url=settings.base_url) as bot:
            return await push_profile(bot, core, settings.default_lang)

    try:
        return asyncio.run(go())
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}".replace(token, "[token]")
        raise CommandFailed(f"Telegram refused the setup ({detail})") from None


def reload_running(settings: Settings, pid: Path | None = None) -> Path:
    """Validate first, then ask the running bot (pid file beside the database) to reload."""
    from bot.i18n import load_strings
    from bot.knowledge.loader import load_knowledge

    try:
        load_knowledge(settings.knowledge)
        load_strings(settings.locales)
    except KnowledgeError as exc:
        raise KnowledgeError(
            exc.problems, "Not reloaded: the bot keeps serving the previous version."
        ) from None
    pid = pid or settings.pid_file
    try:
        os.kill(int(pid.read_text(encoding="utf-8").strip()), signal.SIGHUP)
    except (OSError, ValueError) as exc:
        raise CommandFailed(f"no running bot found through {pid} ({type(exc).__name__})") from None
    return pid
