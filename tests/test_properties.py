"""Property tests: whatever a person types or a client forges, the core answers with a message
Telegram accepts, and never raises."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.adapters.telegram.codec import decode
from bot.core.base import TELEGRAM_LIMIT
from bot.core.core import MAX_INPUT_CHARS, Core
from bot.core.replies import Input, Reply
from bot.lang import LANGS

TELEGRAM_TAGS = {"b", "i", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler"}
_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"<{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"</{tag}> closes nothing")


def assert_telegram_accepts(reply: Reply) -> None:
    checker = TagChecker()
    checker.feed(reply.html)
    checker.close()
    assert checker.problems == [] and checker.stack == [], (checker.problems, checker.stack, reply.html[:200])
    text_only = re.sub(r"</?[a-z-]+(?: [^<>]*)?>", "", reply.html)
    assert "<" not in text_only and ">" not in text_only, reply.html[:200]
    assert not _ENTITY.search(reply.html), reply.html[:200]
    assert 0 < len(reply.html) <= TELEGRAM_LIMIT
    for button in reply.buttons():
        assert 0 < len(button.label) <= 64


typed = st.text(max_size=MAX_INPUT_CHARS) | st.text(alphabet="<>&;/\\\"' abc", max_size=200)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=typed, lang=st.sampled_from(LANGS))
def test_any_text_gets_a_reply_telegram_accepts(core: Core, text: str, lang: str) -> None:
    assert_telegram_accepts(core.respond(Input(lang, text=text)))  # type: ignore[arg-type]


def utf8_64(data: str) -> bool:
    return len(data.encode()) <= 64


forged = (
    st.text(max_size=64).filter(utf8_64)
    | st.builds(lambda lang, rest: f"{lang}|{rest}", st.sampled_from(LANGS), st.text(max_size=40)).filter(
        utf8_64
    )
    | st.builds(
        lambda lang, kind, rest: f"{lang}|{kind}:{rest}",
        st.sampled_from(LANGS),
        st.sampled_from("tsamdlrxTS"),
        st.text(alphabet="0123456789:=-abcdefghijklmnopqrstuvwxyz²", max_size=30),
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=forged)
@example(data="en|t:coming-out").via("a real button")
@example(data="pt|a:0").via("a real button")
def test_any_button_data_is_refused_or_answered(core: Core, data: str) -> None:
    decoded = decode(data, core)
    if data in ("en|t:coming-out", "pt|a:0"):
        assert decoded is not None
    if decoded is not None:  # whatever the codec accepts, the core can answer
        lang, action = decoded
        assert_telegram_accepts(core.respond(Input(lang, action=action)))
