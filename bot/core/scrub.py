"""Remove what could identify someone from a question before the curators' inbox keeps it.

Only a question a worker chose to send is ever stored, and only after this: e-mail addresses,
URLs, @handles, IBANs, Belgian national register numbers, phone numbers and other long digit
runs, and the words after "my name is" (and its forms in the four languages) become
placeholders. Every pattern is linear: no wildcard run, no quantified group (user text can be
4,096 characters long).
"""

from __future__ import annotations

import re

_IBAN = r"\b[A-Z]{2}\d{2} ?[0-9A-Z]{4} ?[0-9A-Z]{4} ?[0-9A-Z]{4}"
# Order matters: the specific forms before the generic digit runs that would cut them up.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w+.-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE), "[url]"),
    (re.compile(r"(?<!\w)@\w{2,}"), "[handle]"),
    (re.compile(rf"{_IBAN}[ 0-9A-Z]{{0,19}}[0-9A-Z]|{_IBAN}"), "[iban]"),
    (re.compile(r"\b\d{2}[.]?\d{2}[.]?\d{2}[-. ]?\d{3}[.]?\d{2}\b"), "[id number]"),
    (re.compile(r"\+?\(?\d[\d ()./-]{6,}\d"), "[phone]"),
    (re.compile(r"\d{5,}"), "[number]"),
)
_NAME_INTRO = re.compile(
    r"\b(?:my name is|my name's|i am called|i'm called|call me|je m'appelle|je m’appelle|mon nom est|"
    r"mon nom c'est|ik heet|mijn naam is|noem me|chamo-me|me chamo|o meu nome é|meu nome é|o meu nome e|"
    r"meu nome e|eu chamo-me)\s",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\s,.;:!?()\"«»]+")
NAME = "[name]"


def _names(text: str) -> str:
    """The word after each introduction, and the next one too when it is capitalised."""
    out, at = [], 0
    for intro in _NAME_INTRO.finditer(text):
        if intro.start() < at:
            continue
        out.append(text[at : intro.end()])
        at = intro.end()
        first = _WORD.match(text, at)
        if first is None:
            continue
        out.append(NAME)
        at = first.end()
        rest = _WORD.match(text, at + 1) if text[at : at + 1] == " " else None
        if rest is not None and rest.group()[:1].isupper():
            at = rest.end()
    out.append(text[at:])
    return "".join(out)


def scrub(text: str) -> str:
    """The question with personal details replaced by placeholders."""
    text = " ".join(text.split())
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return _names(text)


PATTERNS = (*(p for p, _ in _PATTERNS), _NAME_INTRO, _WORD)  # held to the linear-regex rule by a test
