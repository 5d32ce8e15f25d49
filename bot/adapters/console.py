"""Chat with the core in a terminal; menus become numbered choices.

With stdin not a terminal it reads one line per turn and prints plain replies, so it can be
scripted (``printf 'help\\nquit\\n' | guidebot console``).
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TextIO

from bot.conversation import Core, Input, OpenMenu, Reply, plain_text
from bot.knowledge.models import LANGS, Lang

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


def run_console(core: Core, lang: Lang, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    print(core.t(lang, "console.intro"), file=stdout)
    reply = core.respond(Input(lang, action=OpenMenu()))
    print(render(reply, interactive), file=stdout)
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
        if text.startswith("/lang"):
            wanted = text.split()[-1]
            if wanted in LANGS:
                lang = wanted  # type: ignore[assignment,unused-ignore]
                print(core.t(lang, "language.set"), file=stdout)
            else:
                print("/lang " + "|".join(LANGS), file=stdout)
            continue
        if text in ("/start", "/menu"):
            event = Input(lang, action=OpenMenu())
        elif text == "/tip":
            reply = core.tip_reply(lang, date.today())
            print("\n" + render(reply, interactive), file=stdout)
            continue
        elif text.isdigit() and 1 <= int(text) <= len(reply.buttons()):
            event = Input(lang, action=reply.buttons()[int(text) - 1].action)
        else:
            event = Input(lang, text=text)
        reply = core.respond(event)
        print("\n" + render(reply, interactive), file=stdout)
