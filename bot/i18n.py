"""UI strings from gettext catalogs (locales/<lang>/LC_MESSAGES/guidebot.po).

Message ids are symbolic (``btn.menu``) so that English is a catalog like the others and a gap
in any language is visible to ``guidebot check``. Babel reads the .po files directly, so curators
edit them with any gettext tool and nothing needs compiling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import PoFileError, read_po

from bot.lang import LANGS, Lang
from bot.problems import KnowledgeError, Problem

DOMAIN = "guidebot"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog_path(root: Path, lang: Lang) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Strings:
    """Every UI string in every language; t() never fails at run time."""

    messages: dict[Lang, dict[str, str]]
    lines: dict[Lang, dict[str, int]]
    flags: dict[Lang, dict[str, frozenset[str]]]
    root: Path

    def t(self, lang: Lang, key: str, **values: object) -> str:
        text = self.messages.get(lang, {}).get(key) or self.messages["en"].get(key) or key
        if values:
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def check(self) -> list[Problem]:
        """Gaps, empty or fuzzy strings and placeholder mismatches, with file and line."""
        problems: list[Problem] = []
        reference = self.messages["en"]
        all_keys = {k for msgs in self.messages.values() for k in msgs}
        for lang in LANGS:
            path = catalog_path(self.root, lang)
            msgs = self.messages.get(lang, {})
            for key in sorted(all_keys - msgs.keys()):
                problems.append(Problem(path, 1, f"{key}: missing (present in another language)"))
            for key, text in msgs.items():
                line = self.lines[lang].get(key, 1)
                if not text.strip():
                    problems.append(Problem(path, line, f"{key}: empty translation"))
                    continue
                if "fuzzy" in self.flags[lang].get(key, frozenset()):
                    problems.append(Problem(path, line, f"{key}: marked fuzzy", "warning"))
                if key in reference:
                    want = set(_PLACEHOLDER.findall(reference[key]))
                    have = set(_PLACEHOLDER.findall(text))
                    if want != have:
                        problems.append(
                            Problem(
                                path,
                                line,
                                f"{key}: placeholders {sorted(have)} differ from English {sorted(want)}",
                            )
                        )
        return problems


def load_strings(root: Path) -> Strings:
    messages: dict[Lang, dict[str, str]] = {}
    lines: dict[Lang, dict[str, int]] = {}
    flags: dict[Lang, dict[str, frozenset[str]]] = {}
    problems: list[Problem] = []
    for lang in LANGS:
        path = catalog_path(root, lang)
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang, abort_invalid=True)
        except FileNotFoundError:
            problems.append(Problem(path, 1, "catalog missing"))
            continue
        except (PoFileError, OSError, ValueError) as exc:
            line = int(getattr(exc, "lineno", 1) or 1)
            problems.append(Problem(path, line, f"cannot parse: {exc}"))
            continue
        messages[lang] = {}
        lines[lang] = {}
        flags[lang] = {}
        for message in catalog:
            if not message.id or not isinstance(message.id, str):
                continue
            messages[lang][message.id] = message.string if isinstance(message.string, str) else ""
            lines[lang][message.id] = message.lineno or 1
            flags[lang][message.id] = frozenset(message.flags)
    if problems:
        raise KnowledgeError(problems)
    return Strings(messages, lines, flags, root)
