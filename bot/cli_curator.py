"""The curators' commands: the report and the inbox of questions workers sent."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from bot.config import ConfigError, Settings
from bot.core.replies import CountEvent
from bot.problems import CommandFailed
from bot.stats import CountRow, Question
from bot.storage import Storage, StorageUnavailable

OK = 0
T = TypeVar("T")


def _on_storage(path: Path, work: Callable[[Storage], Awaitable[T]]) -> T:
    """Opens the database, runs work on it, closes it: one place for the commands' own loop."""

    async def run() -> T:
        storage = Storage(path)
        await storage.open()
        try:
            return await work(storage)
        finally:
            await storage.close()

    return asyncio.run(run())


def _read(path: Path, since: date | None) -> tuple[list[CountRow], list[Question]]:
    async def read(storage: Storage) -> tuple[list[CountRow], list[Question]]:
        return await storage.counts(since), await storage.questions(since)

    if not path.exists():
        raise CommandFailed(f"{path}: no database yet (run the bot or the console first)")
    try:
        return _on_storage(path, read)
    except StorageUnavailable as exc:
        raise CommandFailed(f"{path}: {exc}") from None


def record(path: Path, event: CountEvent, lang: str, service: str = "") -> None:
    """One anonymous count from a command (the printed guide); a database problem loses only it."""
    try:
        _on_storage(path, lambda storage: storage.count(date.today(), event, "", lang, service))
    except StorageUnavailable:
        return


def _since(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise ConfigError(f"--since must be a date like 2026-01-31, not {text!r}") from None


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import core_for
    from bot.report import Data
    from bot.report_page import render, write_csv

    counts, questions = _read(settings.db_path, _since(args.since))
    core = core_for(settings, "en")
    data = Data(counts, questions, core.kb, date.today())
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render(data, core.matcher.cache.embed), encoding="utf-8")
        written = [args.out, *(write_csv(data, args.csv) if args.csv else [])]
    except OSError as exc:
        raise CommandFailed(f"report not written: {exc}") from None
    print(f"{', '.join(map(str, written))}: {len(counts)} count rows, {len(questions)} questions")
    return OK


def cmd_inbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import core_for
    from bot.knowledge.examples_file import add_example

    _, questions = _read(settings.db_path, None)
    core = core_for(settings, "en")
    if args.add is None and args.drop is None:
        for q in questions:
            match = core.matcher.match(q.text, q.lang)  # type: ignore[arg-type]  # a stored language code
            proposed = ", ".join(match.topics[:3]) or "no topic"
            print(f"#{q.id} {q.day} [{q.lang}] {q.text}\n    matcher proposes: {proposed}")
        print(f"{len(questions)} questions. Add one as an example: guidebot inbox --add ID TOPIC")
        return OK
    if args.add is not None and not args.add[0].isdigit():
        raise ConfigError(f"--add takes a question number and a topic id, not {args.add[0]!r}")
    wanted = args.drop if args.drop is not None else int(args.add[0])
    question = next((q for q in questions if q.id == wanted), None)
    if question is None:
        raise CommandFailed(f"no question #{wanted} in the inbox")
    if args.add is not None:
        where = add_example(settings.knowledge, args.add[1], question.lang, question.text)
        print(f"{where}: added to the {question.lang} questions; run `guidebot check`")

    try:
        _on_storage(settings.db_path, lambda storage: storage.drop_question(wanted))
    except StorageUnavailable as exc:
        raise CommandFailed(f"{settings.db_path}: {exc}") from None
    print(f"#{wanted} removed from the inbox")
    return OK


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("report", parents=[common], help="the curators' report: HTML with charts, and CSV")
    p.add_argument("--since", help="first day (YYYY-MM-DD)")
    p.add_argument("--out", type=Path, default=Path("report.html"))
    p.add_argument("--csv", type=Path, help="also write counts.csv and questions.csv into this folder")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("inbox", parents=[common], help="questions workers sent anonymously")
    p.add_argument("--add", nargs=2, metavar=("ID", "TOPIC"), help="add question ID to TOPIC's examples")
    p.add_argument("--drop", type=int, metavar="ID", help="remove question ID from the inbox")
    p.set_defaults(func=cmd_inbox)
