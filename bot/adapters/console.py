"""Chat with the core in a terminal: the same commands as Telegram; buttons become numbers.

With stdin not a terminal it reads one line per turn and prints plain replies, so it can be
scripted (``printf 'help\\nquit\\n' | guidebot console``). Effects are applied in memory: a
language choice holds for the session; a daily-tip choice is remembered but nothing is sent. The
anonymous counts and a question sent on request go to the database, as in Telegram (a `Recorder`),
so a curator's `guidebot report` sees console sessions too.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from bot.core.core import Core
from bot.core.markup import plain_text
from bot.core.replies import (
    Count,
    Effect,
    EndRun,
    Forget,
    Input,
    KeepRun,
    RememberLanguage,
    Reply,
    Run,
    StoreQuestion,
    Subscribe,
    Unsubscribe,
)
from bot.lang import Lang

if TYPE_CHECKING:
    from pathlib import Path

_QUIT = {"quit", "exit", "/quit", "/exit", "q"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(reply: Reply, color: bool) -> str:
    text = reply.html
    if color:
        text = text.replace("<b>", _BOLD).replace("</b>", _RESET).replace("<i>", _DIM).replace("</i>", _RESET)
    lines = [plain_text(text)]
    for n, button in enumerate(reply.buttons(), 1):
        lines.append(f"  [{n}] {button.label}")
    return "\n".join(lines)


@dataclass
class Session:
    """What a Telegram chat would keep: the chosen language, a daily-tip hour, the last screen."""

    lang: Lang
    hour: int | None = None
    last: Reply | None = None
    asked: str | None = None  # the last question typed, for "send this question anonymously"
    run: Run | None = None  # a practice run or checklist in progress
    record: Callable[[Effect, Lang], None] = field(default=lambda effect, lang: None)

    def read(self, text: str) -> Input:
        if text.startswith("/"):
            return Input(self.lang, command=text[1:].split()[0].lower(), subscribed_hour=self.hour)
        buttons = self.last.buttons() if self.last else []
        if text.isascii() and text.isdigit() and 1 <= int(text) <= len(buttons):
            action = buttons[int(text) - 1].action
            return Input(self.lang, action=action, subscribed_hour=self.hour, asked=self.asked, run=self.run)
        last_topic = self.last.topic_id if self.last and self.last.kind in ("answer", "referrals") else None
        self.asked = text
        return Input(self.lang, text=text, back=self.last.back if self.last else None, last_topic=last_topic)

    def apply(self, reply: Reply) -> None:
        for effect in reply.effects:
            match effect:
                case Count() | StoreQuestion():
                    self.record(effect, reply.lang)
                case KeepRun(run):
                    self.run = run
                case EndRun():
                    self.run = None
                case Subscribe(hour, _, _):
                    self.hour = hour
                case Unsubscribe() | Forget():
                    self.hour = None
                case RememberLanguage(lang):
                    self.lang = lang
        self.last = reply


class Recorder:
    """The console's database writes, on a loop of its own; a database problem only loses counts."""

    def __init__(self, path: Path) -> None:
        from bot.storage import Storage, StorageUnavailable

        self.loop = asyncio.new_event_loop()
        self.storage: Storage | None = Storage(path)
        self.unavailable = StorageUnavailable
        try:
            self.loop.run_until_complete(self.storage.open())
        except StorageUnavailable:
            self.storage = None

    def __call__(self, effect: Effect, lang: Lang) -> None:
        from bot.core.daily import brussels_now
        from bot.stats import record

        if self.storage is None or not isinstance(effect, Count | StoreQuestion):
            return
        try:
            self.loop.run_until_complete(record(self.storage, effect, lang, brussels_now().date()))
        except self.unavailable:
            return

    def close(self) -> None:
        if self.storage is not None:
            self.loop.run_until_complete(self.storage.close())
        self.loop.close()


def run_console(
    core: Core,
    lang: Lang,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    record: Callable[[Effect, Lang], None] | None = None,
) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    session = Session(lang, record=record or (lambda effect, lang: None))
    print(core.t(lang, "console.intro"), file=stdout)
    first = core.respond(Input(lang, command="menu"))
    session.apply(first)
    print(render(first, interactive), file=stdout)
    while True:
        if interactive:
            stdout.write("\n> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            return 0
        text = line.strip()
        if not text:
            continue
        if text.lower() in _QUIT:
            return 0
        reply = core.respond(session.read(text))
        session.apply(reply)
        print("\n" + render(reply, interactive), file=stdout)
