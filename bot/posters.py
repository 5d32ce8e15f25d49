"""QR codes that deep-link to a topic or a service menu, for posters and flyers.

segno makes the code (pure Python, standards-complete); Pillow lays out the PNG and the A4 PDF
sheet with the title printed under each code.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from bot.adapters.telegram.codec import deep_link as link_payload
from bot.adapters.telegram.codec import parse_deep_link
from bot.core.actions import OpenTopic
from bot.core.core import Core
from bot.knowledge.models import SERVICE_IDS
from bot.lang import Lang

A4_PX = (2480, 3508)  # 300 dpi


class PosterError(Exception):
    """The target or the output name is wrong; the message is one line for the user."""


def deep_link(bot_username: str, target: str, core: Core) -> tuple[str, str]:
    """(t.me link, kind) for a topic id or a service id."""
    name = bot_username.lstrip("@")
    if not name.replace("_", "").isalnum():
        raise PosterError(f"{bot_username!r} is not a bot username")
    if (action := parse_deep_link(f"t_{target}", core)) or (action := parse_deep_link(f"s_{target}", core)):
        kind = "topic" if isinstance(action, OpenTopic) else "service"
        return f"https://t.me/{name}?start={link_payload(action)}", kind
    raise PosterError(f"{target!r} is neither a topic nor a service (see `guidebot check` or knowledge/)")


def title_of(target: str, core: Core, lang: Lang) -> str:
    if target in core.kb.topics:
        return core.kb.topics[target].text(lang).title
    return core.kb.services[target].label.text(lang)  # type: ignore[index]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def qr_image(link: str, title: str, width: int = 900) -> Image.Image:
    qr = segno.make(link, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, width // (qr.symbol_size()[0])), border=2)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    font = _font(max(24, width // 18))
    draw = ImageDraw.Draw(code)
    box = tuple(int(v) for v in draw.textbbox((0, 0), title, font=font))
    text_h = box[3] - box[1]
    canvas = Image.new("RGB", (max(code.width, box[2] + 40), code.height + text_h + 60), "white")
    canvas.paste(code, ((canvas.width - code.width) // 2, 0))
    ImageDraw.Draw(canvas).text(
        ((canvas.width - (box[2] - box[0])) // 2, code.height + 20), title, fill="black", font=font
    )
    return canvas


def qr_svg(link: str, title: str) -> str:
    qr = segno.make(link, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=10, border=2, xmldecl=False, svgns=True)
    inner = buffer.getvalue().decode()
    size = qr.symbol_size(scale=10, border=2)[0]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 60}" viewBox="0 0 {size} {size + 60}">'
        f'<rect width="100%" height="100%" fill="white"/>{inner}'
        f'<text x="{size // 2}" y="{size + 35}" font-family="sans-serif" font-size="24" text-anchor="middle">{html.escape(title)}</text></svg>'
    )


def write_qr(core: Core, target: str, bot_username: str, lang: Lang, out: Path) -> str:
    link, _ = deep_link(bot_username, target, core)
    title = title_of(target, core, lang)
    suffix = out.suffix.lower()
    if suffix == ".svg":
        out.write_text(qr_svg(link, title), encoding="utf-8")
    elif suffix == ".png":
        qr_image(link, title).save(out)
    else:
        raise PosterError(f"{out.name}: use .png or .svg")
    return link


def write_sheet(core: Core, bot_username: str, lang: Lang, out: Path) -> list[str]:
    """One A4 page with the five service menus (and the emergency topic) as labelled codes."""
    targets = [s for s in SERVICE_IDS if s in core.kb.services]
    links = [deep_link(bot_username, t, core)[0] for t in targets]
    if out.suffix.lower() == ".svg":
        cells = []
        for i, (target, link) in enumerate(zip(targets, links, strict=True)):
            x, y = (i % 2) * 400 + 50, (i // 2) * 380 + 120
            cells.append(
                f'<g transform="translate({x},{y}) scale(0.9)">{qr_svg(link, title_of(target, core, lang))}</g>'
            )
        heading = html.escape(core.t(lang, "bot.short_description"))
        out.write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 850 1200">'
            f'<rect width="100%" height="100%" fill="white"/><text x="425" y="70" font-family="sans-serif" font-size="22" text-anchor="middle">{heading}</text>'
            + "".join(cells)
            + "</svg>",
            encoding="utf-8",
        )
        return links
    if out.suffix.lower() != ".pdf":
        raise PosterError(f"{out.name}: the sheet is a .pdf or .svg")
    page = Image.new("RGB", A4_PX, "white")
    draw = ImageDraw.Draw(page)
    draw.text(
        (A4_PX[0] // 2, 150), core.t(lang, "bot.short_description"), fill="black", font=_font(48), anchor="mm"
    )
    for i, (target, link) in enumerate(zip(targets, links, strict=True)):
        cell = qr_image(link, title_of(target, core, lang), width=900)
        x = 140 + (i % 2) * 1150
        y = 300 + (i // 2) * 1080
        page.paste(cell, (x, y))
    page.save(out, "PDF", resolution=300.0)
    return links
