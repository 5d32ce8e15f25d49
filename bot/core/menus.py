"""The main menu, the service menus and the list of all topics, paged."""

from __future__ import annotations

from bot.core.actions import Back, OpenAll, OpenMenu, OpenTopic
from bot.core.base import Base
from bot.core.markup import escape
from bot.core.replies import Button, Reply, ReplyKind
from bot.knowledge.models import SERVICE_IDS, ServiceId
from bot.lang import Lang
from bot.matching.matcher import EMERGENCY_TOPIC
from bot.matching.normalise import fold

PAGE_SIZE = 8
ABOUT_TOPIC = "about-toolbox"  # listed last in "all topics": it is about the guide, not the work


class Menus(Base):
    def main_menu(self, lang: Lang, lead: str | None = None, kind: ReplyKind = "menu") -> Reply:
        services = [s for s in SERVICE_IDS if s in self.kb.services]
        buttons = [Button(self.kb.services[s].label.text(lang), OpenMenu(s)) for s in services]
        buttons.append(Button(self.t(lang, "btn.all_topics"), OpenAll()))
        rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
        if EMERGENCY_TOPIC in self.kb.topics:
            rows.append((Button(self.t(lang, "btn.emergency"), OpenTopic(EMERGENCY_TOPIC)),))
        text = lead if lead is not None else self.t(lang, "menu.title")
        if lead is not None and kind != "menu":
            text = lead + "\n\n" + self.t(lang, "menu.title")
        return Reply(text, lang, kind, tuple(rows))

    def menu_topics(self, service: ServiceId | None) -> list[str]:
        if service is None:
            return list(self.kb.topics)
        return [t for t in self.kb.services[service].topics if t in self.kb.topics]

    def _first(self, service: ServiceId | None) -> list[str]:
        """A service menu opens with its curated first page; "all topics" has none."""
        if service is None:
            return []
        return [t for t in self.kb.services[service].first if t in self.kb.topics]

    def page_topics(self, service: ServiceId | None, page: int, lang: Lang) -> list[str]:
        """Page 0 of a service: its first page; then everything else from A to Z (in lang)."""
        first = self._first(service)
        if first and page == 0:
            return first
        rest = [t for t in self.menu_topics(service) if t not in first]
        rest.sort(key=lambda t: (t == ABOUT_TOPIC, fold(self.title(t, lang))))  # the guide itself last
        start = (page - 1 if first else page) * PAGE_SIZE
        return rest[start : start + PAGE_SIZE]

    def pages(self, service: ServiceId | None) -> int:
        first = self._first(service)
        rest = len(self.menu_topics(service)) - len(first)
        return (1 if first else 0) + max(0 if first else 1, -(-rest // PAGE_SIZE))

    def _paged(self, lang: Lang, here: Back) -> tuple[list[tuple[Button, ...]], int, int]:
        service = here.service if isinstance(here, OpenMenu) else None
        pages = self.pages(service)
        page = min(max(here.page, 0), pages - 1)
        here = OpenMenu(service, page) if isinstance(here, OpenMenu) else OpenAll(page)
        chunk = self.page_topics(service, page, lang)
        rows: list[tuple[Button, ...]] = [(Button(self.title(t, lang), OpenTopic(t, here)),) for t in chunk]
        nav: list[Button] = []
        more = "btn.more_topics" if page == 0 and self._first(service) else "btn.next"
        for label, other in (("btn.prev", page - 1), (more, page + 1)):
            if 0 <= other < pages:
                target = OpenMenu(service, other) if isinstance(here, OpenMenu) else OpenAll(other)
                nav.append(Button(self.t(lang, label), target))
        if nav:
            rows.append(tuple(nav))
        last = [Button(self.t(lang, "btn.menu"), OpenMenu())]
        if EMERGENCY_TOPIC in self.kb.topics:
            last.append(Button(self.t(lang, "btn.emergency"), OpenTopic(EMERGENCY_TOPIC)))
        rows.append(tuple(last))
        return rows, page, pages

    def service_menu(self, service: ServiceId, lang: Lang, page: int = 0) -> Reply:
        rows, page, pages = self._paged(lang, OpenMenu(service, page))
        head = self.t(lang, "menu.service", service=escape(self.kb.services[service].label.text(lang)))
        if pages > 1:
            head += f" ({page + 1}/{pages})"
        return Reply(head, lang, "menu", tuple(rows), back=OpenMenu())

    def all_topics(self, lang: Lang, page: int = 0) -> Reply:
        rows, page, pages = self._paged(lang, OpenAll(page))
        text = self.t(lang, "menu.all", page=page + 1, pages=pages)
        return Reply(text, lang, "menu", tuple(rows), back=OpenMenu())
