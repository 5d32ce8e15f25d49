"""Chat with the core in a terminal: the same commands as Telegram; buttons become numbers.

With stdin not a terminal it reads one line per turn and prints plain replies, so it can be
scripted (``printf 'help\\nquit\\n' | guidebot console``). Effects are applied in memory: a
language choice holds for the session; a daily-tip choice is remembered but nothing is sent.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from bot.core.core import Core
from bot.core.markup import plain_text
from bot.core.replies import Forget, Input, RememberLanguage, Reply, Subscribe, Unsubscribe
from bot.lang import Lang

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

    def read(self, text: str) -> Input:
        if text.startswith("/"):
            return Input(self.lang, command=text[1:].split()[0].lower(), subscribed_hour=self.hour)
        buttons = self.last.buttons() if self.last else []
        if text.isascii() and text.isdigit() and 1 <= int(text) <= len(buttons):
            return Input(self.lang, action=buttons[int(text) - 1].action, subscribed_hour=self.hour)
        last_topic = self.last.topic_id if self.last and self.last.kind in ("answer", "referrals") else None
        return Input(self.lang, text=text, back=self.last.back if self.last else None, last_topic=last_topic)

    def apply(self, reply: Reply) -> None:
        for effect in reply.effects:
            match effect:
                case Subscribe(hour, _):
                    self.hour = hour
                case Unsubscribe() | Forget():
                    self.hour = None
                case RememberLanguage(lang):
                    self.lang = lang
        self.last = reply


def run_console(core: Core, lang: Lang, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    session = Session(lang)
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
