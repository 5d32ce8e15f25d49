"""The paper commands: QR codes for posters and the printable pocket guide."""

from __future__ import annotations

import argparse

from bot.config import ConfigError, Settings
from bot.problems import CommandFailed

OK = 0


def cmd_qr(args: argparse.Namespace, settings: Settings) -> int:
    from bot.posters import PosterError, write_qr, write_sheet

    if not args.all and not args.target:
        raise ConfigError("name a topic or service, or use --all")
    from bot.cli import core_for

    core = core_for(settings, args.lang)
    try:
        if args.all:
            links = write_sheet(core, args.bot_username, args.lang, args.out)
            print(f"{args.out}: {len(links)} service menus")
        else:
            link = write_qr(core, args.target, args.bot_username, args.lang, args.out)
            print(f"{args.out}: {link}")
    except (PosterError, OSError) as exc:
        raise CommandFailed(str(exc)) from None
    return OK


def cmd_print(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import date

    from bot.booklet import build
    from bot.cli import core_for
    from bot.posters import PosterError

    core = core_for(settings, args.lang)
    try:
        pages = build(core, args.lang, args.service, args.bot_username, args.out, date.today())
    except (PosterError, OSError) as exc:
        raise CommandFailed(str(exc)) from None
    from bot.cli_curator import record

    record(settings.db_path, "printed", args.lang, args.service or "")
    print(f"{args.out}: {pages} A6 pages ({args.service or 'all topics'}, {args.lang})")
    return OK
