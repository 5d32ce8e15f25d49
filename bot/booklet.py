"""The printable pocket guide: an A6 booklet per service and language, from the same knowledge.

Emergency block first; then each topic's first line and key steps with a QR code to its deep link;
then the referral cards of that service with the date their facts were checked; the version and
the date on the back. fpdf2 lays it out (pure Python, Unicode TTF fonts); a DejaVu font is used
when the system has one, else the PDF core font with the text reduced to what it can show.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path

import segno
from fpdf import FPDF

from bot import __version__
from bot.core.core import Core
from bot.core.markup import plain_text
from bot.knowledge.models import ServiceId
from bot.lang import Lang
from bot.matching.matcher import EMERGENCY_TOPIC
from bot.posters import PosterError, deep_link

KEY_STEPS = 3  # bullets per topic: a pocket guide is a reminder, the bot has the rest
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_LATIN1_FIXES = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "•": "-", "…": "..."}
)


class Booklet(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(format=(105, 148))  # A6, in mm
        self.footer_text = footer
        self.set_margins(8, 8, 8)
        self.set_auto_page_break(True, margin=10)
        regular, bold = (
            (d / "DejaVuSans.ttf" for d in FONT_DIRS),
            (d / "DejaVuSans-Bold.ttf" for d in FONT_DIRS),
        )
        found = next(
            (pair for pair in zip(regular, bold, strict=True) if all(p.is_file() for p in pair)), None
        )
        self.unicode = found is not None
        if found:
            self.add_font("guide", "", str(found[0]))
            self.add_font("guide", "B", str(found[1]))
            self.family = "guide"
        else:
            self.family = "helvetica"

    def clean(self, text: str) -> str:
        """No emoji (no font here has them); only Latin-1 with the core font."""
        text = "".join(c for c in text if unicodedata.category(c) != "So" and ord(c) < 0x10000).strip()
        return (
            text
            if self.unicode
            else text.translate(_LATIN1_FIXES).encode("latin-1", "replace").decode("latin-1")
        )

    def footer(self) -> None:
        self.set_y(-8)
        self.set_font(self.family, "", 6)
        self.cell(0, 4, self.clean(f"{self.footer_text} · {self.page_no()}"), align="C")

    def heading(self, text: str, size: float = 11) -> None:
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.clean(text), align="L")
        self.ln(1)

    def para(self, text: str, size: float = 8, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, size * 0.45, self.clean(text), align="L")
        self.ln(0.8)


def _lines(answer_html: str) -> tuple[str, list[str]]:
    """(first line, bullets) of an answer."""
    lines = [plain_text(line).strip() for line in answer_html.strip().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    bullets = [line.lstrip("•").strip() for line in lines[1:] if line.startswith("•")]
    return first, bullets


def build(
    core: Core, lang: Lang, service: ServiceId | None, bot_username: str, out: Path, today: date
) -> int:
    """Writes the booklet; returns its page count."""
    if out.suffix.lower() != ".pdf":
        raise PosterError(f"{out.name}: the pocket guide is a .pdf")
    if service is not None and service not in core.kb.services:
        raise PosterError(f"{service!r} is not a service ({', '.join(core.kb.services)})")
    t = core.t
    menu = core.kb.services[service].label.text(lang) if service else t(lang, "btn.all_topics")
    pdf = Booklet(t(lang, "print.footer", version=__version__, date=today.isoformat()))
    pdf.add_page()
    pdf.heading(t(lang, "print.title"), 14)
    pdf.para(menu, 10, bold=True)
    pdf.para(t(lang, "print.intro"))
    if EMERGENCY_TOPIC in core.kb.topics:
        first, bullets = _lines(core.kb.topics[EMERGENCY_TOPIC].text(lang).answer)
        pdf.ln(2)
        pdf.heading(first, 12)
        for bullet in bullets:
            pdf.para("- " + bullet)
    topics = _topics(core, service, lang)
    pdf.add_page()
    for topic_id in topics:
        topic = core.kb.topics[topic_id]
        if pdf.get_y() > pdf.h * 0.6:  # two short topics share a page; a long one starts its own
            pdf.add_page()
        elif pdf.get_y() > pdf.t_margin + 1:
            pdf.ln(3)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
            pdf.ln(3)
        pdf.heading(topic.text(lang).title)
        first, bullets = _lines(topic.text(lang).answer)
        pdf.para(first, bold=True)
        for bullet in bullets[:KEY_STEPS]:
            pdf.para("- " + bullet)
        link, _ = deep_link(bot_username, topic_id, core)
        qr = io.BytesIO()
        segno.make(link, error="m").save(qr, kind="png", scale=8, border=2)
        size = 26.0
        if pdf.get_y() + size > pdf.h - 12:
            pdf.add_page()
        top = pdf.get_y() + 1
        pdf.image(qr, x=pdf.w - 8 - size, y=top, w=size, h=size)
        pdf.set_y(top + 2)
        pdf.multi_cell(pdf.w - 16 - size - 3, 3, pdf.clean(t(lang, "print.scan")), align="L")
        pdf.set_y(top + size + 1)
    referrals = list(
        dict.fromkeys(r for tid in topics for r in core.kb.topics[tid].referrals if r in core.kb.referrals)
    )
    pdf.add_page()
    pdf.heading(t(lang, "print.referrals"))
    for ref_id in referrals:
        ref = core.kb.referrals[ref_id]
        pdf.para(ref.display_name(lang), bold=True)
        contact = " · ".join(x for x in (ref.phone, ref.website) if x)
        checked = t(lang, "card.checked", date=ref.checked.isoformat())
        pdf.para(f"{contact} ({checked})" if contact else checked, 7)
    pdf.add_page()
    pdf.heading(t(lang, "print.title"), 12)
    pdf.para(t(lang, "print.back", version=__version__, date=today.isoformat()))
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return int(pdf.page_no())


def _topics(core: Core, service: ServiceId | None, lang: Lang) -> list[str]:
    """The service's topics as its menu shows them (first page, then A to Z), emergency apart."""
    pages = range(core.pages(service))
    return [t for page in pages for t in core.page_topics(service, page, lang) if t != EMERGENCY_TOPIC]
