"""Slash commands: each becomes an Input for the core; /start reads its deep link here."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.adapters.telegram.codec import parse_deep_link
from bot.adapters.telegram.context import App, GuideContext
from bot.core.core import COMMANDS
from bot.core.replies import Input


def is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def on_command(update: Update, context: GuideContext) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    guide = context.guide
    name = message.text.split()[0][1:].split("@", 1)[0].lower()
    deep_link = parse_deep_link(context.args[0], guide.core) if name == "start" and context.args else None
    await guide.turn(update, context, Input(guide.lang_for(update), command=name, action=deep_link))


async def on_unknown_command(update: Update, context: GuideContext) -> None:
    message = update.message
    if message is None or message.text is None:
        return
    if is_group(update):
        command = message.text.split()[0]
        if "@" not in command or command.split("@", 1)[1].lower() != (context.bot.username or "").lower():
            return  # another bot's command, or a bare one meant for someone else
    guide = context.guide
    await guide.turn(update, context, Input(guide.lang_for(update), command=message.text.split()[0][1:]))


def register(app: App) -> None:
    for name in COMMANDS:
        app.add_handler(CommandHandler(name, on_command, filters=~filters.UpdateType.EDITED))
    app.add_handler(MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, on_unknown_command))
