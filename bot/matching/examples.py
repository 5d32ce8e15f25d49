"""The labelled texts the trained signals learn from: every title and example question of every
topic in the four languages, then the out-of-scope examples as one more column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.knowledge.models import Topic
from bot.lang import LANGS, Lang


@dataclass(frozen=True, slots=True)
class Examples:
    texts: tuple[str, ...]
    columns: tuple[int, ...]  # topic position; len(topics) is the out-of-scope column
    langs: tuple[int, ...]  # position in LANGS
    n_columns: int


def examples(topics: Sequence[Topic], reject: Mapping[Lang, Sequence[str]]) -> Examples:
    texts: list[str] = []
    columns: list[int] = []
    langs: list[int] = []
    for lang_i, lang in enumerate(LANGS):
        for ti, topic in enumerate(topics):
            text = topic.text(lang)
            for sentence in (text.title, *text.questions):
                texts.append(sentence)
                columns.append(ti)
                langs.append(lang_i)
        for sentence in reject.get(lang, ()):
            texts.append(sentence)
            columns.append(len(topics))
            langs.append(lang_i)
    return Examples(tuple(texts), tuple(columns), tuple(langs), len(topics) + 1)
