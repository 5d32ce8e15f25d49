"""The printable pocket guide, read back as a person would: rendered pages, their text, the QR codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from bot.booklet import Booklet, build
from bot.core.core import Core
from bot.core.markup import plain_text
from bot.posters import PosterError
from tests.conftest import run_bot

BOT = "guide_test_bot"


def pages_text(pdf: pdfium.PdfDocument) -> list[str]:
    return [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]


@pytest.mark.parametrize(("service", "lang"), [("police", "fr"), ("health", "pt"), (None, "nl")])
def test_the_pocket_guide_has_the_emergency_block_first_each_topic_with_its_qr_and_dated_cards(
    core: Core, tmp_path: Path, service: str | None, lang: str
) -> None:
    out = tmp_path / "guide.pdf"
    n = build(core, lang, service, BOT, out, date(2026, 12, 2))  # type: ignore[arg-type]
    pdf = pdfium.PdfDocument(out)
    assert len(pdf) == n and n >= 5
    width, height = pdf[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148)  # A6
    texts = pages_text(pdf)
    shown = Booklet("").clean  # what the font in use can print (all of it with DejaVu)
    emergency_first = plain_text(core.kb.topics["emergency"].text(lang).answer).splitlines()[0]
    assert "112" in texts[0] and " ".join(shown(emergency_first).split()) in texts[0]
    whole = " ".join(texts)
    topics = core.kb.services[service].topics if service else tuple(core.kb.topics)
    for topic_id in topics:
        if topic_id != "emergency":
            assert " ".join(shown(core.kb.topics[topic_id].text(lang).title).split()) in whole, topic_id
    assert "2026-11-25" in texts[-2] and "2026-12-02" in texts[-1]  # cards dated; printed on
    links = set()
    for i in range(1, 4):
        image = pdf[i].render(scale=4).to_pil()
        links |= {r.text for r in zxingcpp.read_barcodes(image)}
    assert links and all(link.startswith(f"https://t.me/{BOT}?start=t_") for link in links)
    assert any(link.removeprefix(f"https://t.me/{BOT}?start=t_") in topics for link in links)


def test_print_is_a_cli_command_with_one_line_errors(tmp_path: Path) -> None:
    ok = run_bot(
        ["print", "--service", "housing", "--lang", "en", "--bot-username", BOT, "--out", "g.pdf"], tmp_path
    )
    assert (
        ok.returncode == 0
        and "A6 pages (housing, en)" in ok.stdout
        and (tmp_path / "g.pdf").stat().st_size > 10_000
    )
    wrong = run_bot(["print", "--bot-username", BOT, "--out", "g.png"], tmp_path)
    assert wrong.returncode == 1 and wrong.stderr.strip() == "Error: g.png: the pocket guide is a .pdf"
    with pytest.raises(PosterError):
        build(
            Core.load(Path("knowledge"), Path("locales")),
            "en",
            "nowhere",
            BOT,
            tmp_path / "x.pdf",
            date.today(),
        )  # type: ignore[arg-type]
