"""Telegram handlers: each builds an Input, asks the core, and renders the Reply.

Nothing here stores or logs who wrote what. The only state is in memory: a language chosen with
/language (forgotten on restart or /forget) and per-chat flood counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.adapters.telegram.render import callback_data, keyboard, parse_callback
from bot.conversation import (
    LONG_INPUT_CHARS,
    Action,
    Core,
    DailyAt,
    Input,
    Reply,
    SetLanguage,
    StopDaily,
    plain_text,
)
from bot.knowledge.models import LANG_NAMES, LANGS, SERVICE_IDS, Lang, Referral
from bot.matching.normalise import fold
from bot.problems import KnowledgeError
from bot.storage import Storage

log = logging.getLogger("bot.telegram")
BRUSSELS = ZoneInfo("Europe/Brussels")
DAILY_HOURS = (7, 8, 9, 10, 12, 13, 14, 16, 17, 18, 19, 20)
COMMANDS = ("start", "menu", "help", "tip", "daily", "stop", "language", "privacy", "forget", "about")


def brussels_now() -> datetime:
    return datetime.now(BRUSSELS)


@dataclass
class Bucket:
    tokens: float
    stamp: float
    warned: bool = False


@dataclass
class FloodGuard:
    """Per-chat token bucket: a burst of `burst` messages, then `rate` per second."""

    burst: float = 10.0  # quick menu taps stay well inside this
    rate: float = 2.0
    buckets: OrderedDict[int, Bucket] = field(default_factory=OrderedDict)
    max_chats: int = 10_000

    def allow(self, chat_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(allowed, warn): warn once per flood so the sender knows why it went quiet."""
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(chat_id)
        if bucket is None:
            bucket = self.buckets[chat_id] = Bucket(self.burst, now)
            if len(self.buckets) > self.max_chats:
                self.buckets.popitem(last=False)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True, False
        warn = not bucket.warned
        bucket.warned = True
        return False, warn

    def forget(self, chat_id: int) -> None:
        self.buckets.pop(chat_id, None)


class GuideBot:
    def __init__(
        self, core: Core, storage: Storage, default_lang: Lang = "en", flood: FloodGuard | None = None
    ) -> None:
        self.core = core
        self.storage = storage
        self.default_lang = default_lang
        self.flood = flood or FloodGuard()
        self.chosen: OrderedDict[int, Lang] = OrderedDict()  # /language choices, memory only
        self._reload_task: asyncio.Task[bool] | None = None

    # ------------------------------------------------------------ helpers

    def lang_for(self, update: Update) -> Lang:
        chat = update.effective_chat
        if chat is not None and chat.id in self.chosen:
            return self.chosen[chat.id]
        user = update.effective_user
        code = (user.language_code or "")[:2].lower() if user else ""
        return code if code in LANGS else self.default_lang  # type: ignore[return-value,unused-ignore]

    async def send(self, update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        await context.bot.send_message(
            chat.id,
            reply.html,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply),
            disable_web_page_preview=True,
        )
        log.info("reply kind=%s lang=%s topic=%s", reply.kind, reply.lang, reply.topic_id or "-")

    @staticmethod
    def is_group(update: Update) -> bool:
        chat = update.effective_chat
        return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)

    # ------------------------------------------------------------ guards

    async def guard(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs before every handler: drops floods without slowing other chats."""
        chat = update.effective_chat
        if chat is None:
            return
        allowed, warn = self.flood.allow(chat.id)
        if allowed:
            return
        if warn and update.message is not None:
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(chat.id, self.core.t(self.lang_for(update), "flood"))
        log.info("flood: update dropped")
        raise ApplicationHandlerStop

    # ------------------------------------------------------------ commands

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, with deep links t_<topic> and s_<service> for posters and colleagues."""
        lang = self.lang_for(update)
        payload = context.args[0] if context.args else ""
        if payload.startswith("t_") and payload[2:] in self.core.kb.topics:
            await self.send(update, context, self.core.topic_reply(payload[2:], lang))
            return
        if payload.startswith("s_") and payload[2:] in self.core.kb.services:
            await self.send(update, context, self.core.service_menu(payload[2:], lang))  # type: ignore[arg-type]
            return
        await self.send(
            update, context, self.core.main_menu(lang, self.core.t(lang, "welcome"), kind="greeting")
        )

    async def menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, self.core.main_menu(self.lang_for(update)))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, self.core.info(self.lang_for(update), "help", with_menu=True))

    async def about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, self.core.info(self.lang_for(update), "about"))

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, self.core.info(self.lang_for(update), "privacy"))

    async def tip(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update, context, self.core.tip_reply(self.lang_for(update), brussels_now().date()))

    async def daily(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang_for(update)
        choices = [(f"{h:02d}:00", DailyAt(h)) for h in DAILY_HOURS]
        await self.offer(update, context, lang, "daily.choose", choices, per_row=4)

    async def stop(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang_for(update)
        chat = update.effective_chat
        if chat is None:
            return
        erased = await self.storage.forget(chat.id)
        log.info("daily: unsubscribed" if erased else "daily: stop without subscription")
        await context.bot.send_message(chat.id, self.core.t(lang, "daily.off" if erased else "daily.none"))

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        lang = self.lang_for(update)
        await self.storage.forget(chat.id)
        self.chosen.pop(chat.id, None)
        self.flood.forget(chat.id)
        log.info("forget: chat erased")
        await context.bot.send_message(chat.id, self.core.t(lang, "forget.done"))

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang_for(update)
        choices = [(LANG_NAMES[code], SetLanguage(code)) for code in LANGS]
        await self.offer(update, context, lang, "language.choose", choices, per_row=2)

    async def offer(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        lang: Lang,
        question: str,
        choices: Sequence[tuple[str, Action]],
        per_row: int,
    ) -> None:
        """A question with a grid of choice buttons (hours, languages)."""
        if update.effective_chat is None:
            return
        buttons = [
            InlineKeyboardButton(label, callback_data=callback_data(lang, action))
            for label, action in choices
        ]
        rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
        await context.bot.send_message(
            update.effective_chat.id, self.core.t(lang, question), reply_markup=InlineKeyboardMarkup(rows)
        )

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.text is None:
            return
        if self.is_group(update):
            command = message.text.split()[0]
            if "@" not in command or command.split("@", 1)[1].lower() != (context.bot.username or "").lower():
                return  # another bot's command, or a bare one meant for someone else
        await self.send(update, context, self.core.info(self.lang_for(update), "unknown_command"))

    # ------------------------------------------------------------ messages

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text: answer, clarify or an honest no-answer; danger first."""
        message = update.message
        if message is None or message.text is None:
            return
        text = message.text
        if self.is_group(update):
            mention = f"@{context.bot.username}".lower() if context.bot.username else None
            replied_to_us = (
                message.reply_to_message is not None
                and message.reply_to_message.from_user is not None
                and message.reply_to_message.from_user.id == context.bot.id
            )
            if not replied_to_us and (mention is None or mention not in text.lower()):
                return  # never read or react to other members' conversation
            if mention:
                start = text.lower().find(mention)
                if start >= 0:
                    text = text[:start] + text[start + len(mention) :]
        reply = self.core.respond(Input(self.lang_for(update), text=text))
        if len(message.text) > LONG_INPUT_CHARS:
            reply = Reply(
                reply.html + "\n\n<i>" + self.core.t(reply.lang, "too_long") + "</i>",
                reply.lang,
                reply.kind,
                reply.rows,
                reply.topic_id,
                reply.match,
            )
        await self.send(update, context, reply)

    async def other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, documents...: a polite line in private chats, silence in groups."""
        if self.is_group(update) or update.message is None:
            return
        await self.send(update, context, self.core.info(self.lang_for(update), "unsupported", with_menu=True))

    # ------------------------------------------------------------ buttons

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        parsed = parse_callback(query.data, self.core.kb)
        chat = update.effective_chat
        if parsed is None:
            lang = self.lang_for(update)
            await query.answer(self.core.t(lang, "expired"))
            log.info("button: expired or forged data")
            if chat is not None:
                await self.send(
                    update, context, self.core.main_menu(lang, self.core.t(lang, "expired"), kind="expired")
                )
            return
        lang, action = parsed
        if chat is not None and chat.id in self.chosen:
            lang = self.chosen[chat.id]
        if isinstance(action, SetLanguage):
            if chat is not None:
                self.chosen[chat.id] = action.lang
                if len(self.chosen) > 10_000:
                    self.chosen.popitem(last=False)
                await self.storage.set_language(chat.id, action.lang)
            await query.answer()
            reply = self.core.main_menu(action.lang, self.core.t(action.lang, "language.set"), kind="info")
            await self.edit(query, reply)
            return
        if isinstance(action, DailyAt):
            await query.answer()
            if chat is not None:
                await self.storage.subscribe(chat.id, lang, action.hour)
                log.info("daily: subscribed hour=%d lang=%s", action.hour, lang)
            stop = Reply(self.core.t(lang, "daily.on", hour=f"{action.hour:02d}"), lang, "info", ())
            markup = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            self.core.t(lang, "btn.stop_daily"),
                            callback_data=callback_data(lang, StopDaily()),
                        )
                    ]
                ]
            )
            await self.edit(query, stop, markup)
            return
        if isinstance(action, StopDaily):
            await query.answer()
            erased = chat is not None and await self.storage.forget(chat.id)
            await self.edit(
                query, Reply(self.core.t(lang, "daily.off" if erased else "daily.none"), lang, "info")
            )
            return
        await query.answer()
        await self.edit(query, self.core.follow(action, lang))

    async def edit(
        self, query: CallbackQuery, reply: Reply, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """Navigation edits the message in place; a message too old to edit gets a new one."""
        try:
            await query.edit_message_text(
                reply.html,
                parse_mode=ParseMode.HTML,
                reply_markup=markup or keyboard(reply),
                disable_web_page_preview=True,
            )
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            if query.message is not None:
                await query.get_bot().send_message(
                    query.message.chat.id,
                    reply.html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup or keyboard(reply),
                )
        log.info("button kind=%s lang=%s topic=%s", reply.kind, reply.lang, reply.topic_id or "-")

    # ------------------------------------------------------------ inline mode

    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """'@bot pronouns' in any chat: matching topics and referral cards, posted as chosen."""
        query = update.inline_query
        if query is None:
            return
        lang = self.lang_for(update)
        text = query.query.strip()[:200]
        core = self.core
        topic_ids: list[str] = []
        if text in core.kb.topics:
            topic_ids = [text]
        elif text:
            match = core.matcher.match(text, lang)
            lang = match.lang
            if match.decision != "none":
                topic_ids = [t for t in match.topics[:5] if t in core.kb.topics]
        else:
            topic_ids = [
                t for s in SERVICE_IDS if s in core.kb.services for t in core.kb.services[s].topics[:1]
            ]
            topic_ids = list(dict.fromkeys(topic_ids))
        results: list[InlineQueryResultArticle] = []
        for tid in topic_ids:
            topic = core.kb.topics[tid]
            share = core.share_reply(tid, lang)
            link = None
            if context.bot.username:
                link = InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                core.t(lang, "btn.more"),
                                url=f"https://t.me/{context.bot.username}?start=t_{tid}",
                            )
                        ]
                    ]
                )
            results.append(
                InlineQueryResultArticle(
                    id=f"t:{tid}:{lang}",
                    title=topic.text(lang).title,
                    description=plain_text(topic.text(lang).answer).strip().splitlines()[0][:120],
                    input_message_content=InputTextMessageContent(
                        share.html, parse_mode=ParseMode.HTML, link_preview_options=None
                    ),
                    reply_markup=link,
                )
            )
        for ref in self._matching_referrals(text, topic_ids)[:5]:
            card = core.card_html(ref, lang)
            results.append(
                InlineQueryResultArticle(
                    id=f"r:{ref.id}:{lang}",
                    title=f"📇 {ref.display_name(lang)}",
                    description=ref.offers.get(lang)[:120],
                    input_message_content=InputTextMessageContent(card, parse_mode=ParseMode.HTML),
                )
            )
        await query.answer(results[:20], cache_time=300, is_personal=False)
        log.info("inline results=%d lang=%s", len(results), lang)

    def _matching_referrals(self, text: str, topic_ids: list[str]) -> list[Referral]:
        """Cards whose name contains the query, then the cards of the best topic."""
        kb = self.core.kb
        wanted = fold(text)
        ids = [
            r.id
            for r in kb.referrals.values()
            if len(wanted) >= 3 and (wanted in fold(r.name) or wanted in r.id)
        ]
        for tid in topic_ids[:1]:
            ids += [r for r in kb.topics[tid].referrals if r in kb.referrals]
        return [kb.referrals[r] for r in dict.fromkeys(ids)]

    # ------------------------------------------------------------ errors

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs the error type only (no update, no user data); tells the user something went wrong."""
        log.error("update failed: %s", type(context.error).__name__)
        if isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(
                    update.effective_chat.id, self.core.t(self.lang_for(update), "error")
                )

    # ------------------------------------------------------------ hot reload

    def schedule_reload(self, knowledge: Path, locales: Path) -> None:
        """Signal handlers cannot await: start the reload as a task and keep it referenced."""
        self._reload_task = asyncio.get_running_loop().create_task(self.reload(knowledge, locales))

    async def reload(self, knowledge: Path, locales: Path) -> bool:
        """Swap in edited knowledge and locales; an invalid edit is logged and the last good one kept."""
        loop = asyncio.get_running_loop()
        try:
            core = await loop.run_in_executor(
                None, Core.load, knowledge, locales, self.default_lang, self.core.matcher.tuning
            )
        except KnowledgeError as exc:
            for problem in exc.problems:
                log.error("reload rejected: %s", problem)
            log.error("reload rejected: %d problems; still serving the previous knowledge", len(exc.problems))
            return False
        self.core = core
        log.info("reloaded: %d topics, %d tips", len(core.kb.topics), len(core.kb.tips))
        return True

    # ------------------------------------------------------------ daily tips

    async def broadcast(self, bot: Bot, when: datetime) -> dict[str, int]:
        """Send today's tip to the chats that chose this hour; blocked chats are unsubscribed."""
        when = when.astimezone(BRUSSELS)
        stats = {"sent": 0, "removed": 0, "failed": 0}
        for sub in await self.storage.due(when.hour):
            reply = self.core.tip_reply(sub.lang, when.date())
            try:
                await bot.send_message(
                    sub.chat_id, reply.html, parse_mode=ParseMode.HTML, reply_markup=keyboard(reply)
                )
                stats["sent"] += 1
            except Forbidden:
                await self.storage.forget(sub.chat_id)
                stats["removed"] += 1
            except BadRequest as exc:
                if "chat not found" in str(exc).lower() or "deactivated" in str(exc).lower():
                    await self.storage.forget(sub.chat_id)
                    stats["removed"] += 1
                else:
                    stats["failed"] += 1
            except TelegramError:
                stats["failed"] += 1
        log.info(
            "daily broadcast hour=%d sent=%d removed=%d failed=%d",
            when.hour,
            stats["sent"],
            stats["removed"],
            stats["failed"],
        )
        return stats


def today_brussels() -> date:
    return brussels_now().date()
