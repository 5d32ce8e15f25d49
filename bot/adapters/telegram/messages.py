"""Free text (answer, clarify or an honest no-answer; danger first) and everything that is not text."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.adapters.telegram.commands import is_group
from bot.adapters.telegram.context import App, GuideContext
from bot.core.replies import Input


def addressed_text(update: Update, context: GuideContext) -> str | None:
    """The text meant for the bot: all of it in a private chat; in a group only a mention of the
    bot or a reply to it (it never reads or reacts to other members' conversation)."""
    message = update.message
    if message is None or message.text is None:
        return None
    text = message.text
    if not is_group(update):
        return text
    mention = f"@{context.bot.username}".lower() if context.bot.username else None
    reply_to = message.reply_to_message
    replied_to_us = (
        reply_to is not None and reply_to.from_user is not None and reply_to.from_user.id == context.bot.id
    )
    if not replied_to_us and (mention is None or mention not in text.lower()):
        return None
    if mention and (start := text.lower().find(mention)) >= 0:
        text = text[:start] + text[start + len(mention) :]
    return text


async def on_text(update: Update, context: GuideContext) -> None:
    text = addressed_text(update, context)
    if text is not None:
        guide = context.guide
        await guide.turn(update, context, Input(guide.lang_for(update), text=text))


async def on_other(update: Update, context: GuideContext) -> None:
    """Stickers, photos, voice, documents...: a polite line in private chats, silence in groups."""
    if is_group(update) or update.message is None:
        return
    guide = context.guide
    await guide.turn(update, context, Input(guide.lang_for(update), text=""))


def register(app: App) -> None:
    app.add_handler(MessageHandler(filters.TEXT & filters.UpdateType.MESSAGE, on_text))
    app.add_handler(
        MessageHandler(~filters.TEXT & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, on_other)
    )
