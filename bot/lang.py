"""The languages the bot speaks: the one list, with what each needs besides its catalog.

Adding a language: its code here (with a name, a Snowball stemmer and extra stop words), a
``locales/<code>.po`` catalog and a ``<code>:`` column in every knowledge file. Nothing else.
"""

from __future__ import annotations

from typing import Literal, get_args

Lang = Literal["en", "fr", "nl", "pt"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "en"
LANG_NAMES: dict[Lang, str] = {"en": "English", "fr": "Français", "nl": "Nederlands", "pt": "Português"}


def as_lang(code: object) -> Lang | None:
    """A language code the bot speaks, or None (user locales, settings, button data)."""
    return next((lang for lang in LANGS if lang == code), None)


# Snowball stemmer per language (PyStemmer names).
STEMMERS: dict[Lang, str] = {"en": "english", "fr": "french", "nl": "dutch", "pt": "portuguese"}
# Elisions and clitics the stop lists miss once accents and apostrophes are folded away.
EXTRA_STOPS: dict[Lang, set[str]] = {
    "en": {"s", "t", "pls", "please", "hi", "ok", "what", "how", "do", "does", "i", "my", "we", "our"},
    "fr": {
        "l",
        "d",
        "j",
        "qu",
        "c",
        "s",
        "n",
        "m",
        "t",
        "comment",
        "quoi",
        "faire",
        "fait",
        "dois",
        "doit",
        "peut",
    },
    "nl": {"t", "s", "hoe", "wat", "moet", "kan", "doe", "ik", "mijn", "we", "onze", "iemand"},
    "pt": {
        "o",
        "a",
        "os",
        "as",
        "e",
        "como",
        "que",
        "devo",
        "deve",
        "faco",
        "fazer",
        "posso",
        "pode",
        "eu",
        "meu",
        "minha",
    },
}
