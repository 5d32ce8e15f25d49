"""Button presses: every press is answered; forged, stale or oversized data gets "expired"."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.adapters.telegram.codec import decode
from bot.adapters.telegram.context import App, GuideContext
from bot.adapters.telegram.deliver import deliver
from bot.core.replies import Input

log = logging.getLogger("bot.telegram")
EXPIRED_KEY = "expired"  # what a forged or stale press is told


async def on_button(update: Update, context: GuideContext) -> None:
    query = update.callback_query
    if query is None:
        return
    guide = context.guide
    chat = update.effective_chat
    parsed = decode(query.data, guide.core)
    if parsed is None:
        lang = guide.lang_for(update)
        await query.answer(guide.core.t(lang, EXPIRED_KEY))
        log.info("button: expired or forged data")
        if chat is not None:
            reply = guide.core.main_menu(lang, guide.core.t(lang, EXPIRED_KEY), kind="expired")
            await deliver(context.bot, chat.id, reply)
        return
    lang, action = parsed
    if chat is not None and chat.id in guide.chosen:
        lang = guide.chosen[chat.id]
    await query.answer()
    await guide.turn(update, context, Input(lang, action=action), query)


def register(app: App) -> None:
    app.add_handler(CallbackQueryHandler(on_button))
