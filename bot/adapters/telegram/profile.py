"""The bot's profile per language: the '/' command menu, description and short description."""

from __future__ import annotations

import functools

from telegram import Bot, BotCommand

from bot.core.core import COMMANDS, Core
from bot.lang import LANGS, Lang

DESCRIPTION_KEYS = ("bot.description", "bot.short_description")


def commands(core: Core, lang: Lang) -> list[BotCommand]:
    return [BotCommand(c, core.t(lang, f"cmd.{c}")) for c in COMMANDS]


async def register_commands(bot: Bot, core: Core, default_lang: Lang) -> None:
    """The '/' menu in each user's language (setMyCommands with language_code), at every start."""
    for lang in LANGS:
        await bot.set_my_commands(commands(core, lang), language_code=lang)
    await bot.set_my_commands(commands(core, default_lang))


async def push_profile(bot: Bot, core: Core, default_lang: Lang) -> dict[str, int]:
    """Commands, descriptions and short descriptions for every language; unchanged ones are skipped."""
    changed = skipped = 0
    for lang in (*LANGS, None):
        text_lang: Lang = lang or default_lang
        wanted_commands = commands(core, text_lang)
        description, short = (core.t(text_lang, key) for key in DESCRIPTION_KEYS)
        current = (
            [(c.command, c.description) for c in await bot.get_my_commands(language_code=lang)],
            (await bot.get_my_description(language_code=lang)).description,
            (await bot.get_my_short_description(language_code=lang)).short_description,
        )
        wanted = ([(c.command, c.description) for c in wanted_commands], description, short)
        setters = (
            functools.partial(bot.set_my_commands, wanted_commands, language_code=lang),
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
