"""A topic's answer with its related topics, its referral cards, and the shareable version."""

from __future__ import annotations

from bot.core.actions import (
    NATIONAL,
    REGIONS,
    Back,
    OpenMenu,
    OpenTopic,
    Region,
    ReportCard,
    Share,
    ShowReferrals,
    Vote,
)
from bot.core.base import Base
from bot.core.markup import bold, escape, italic, safe_html
from bot.core.replies import Button, Reply, ReplyKind
from bot.knowledge.models import Referral, Topic
from bot.lang import Lang
from bot.matching.matcher import EMERGENCY_TOPIC

MAX_RELATED = 6
CARDS_PER_PAGE = 3  # referral cards per page: about one phone screen, the same pages in every language


class Answers(Base):
    _cards: dict[tuple[str, Lang], str]

    def topic_html(self, topic: Topic, lang: Lang) -> str:
        text = topic.text(lang)
        return f"{bold(text.title)}\n\n{safe_html(text.answer.strip())}"

    def topic_reply(self, topic_id: str, lang: Lang, back: Back | None = None, extra: str = "") -> Reply:
        topic = self.kb.topics[topic_id]
        related = [r for r in topic.related if r in self.kb.topics][:MAX_RELATED]
        rows: list[tuple[Button, ...]] = [
            tuple(Button("› " + self.title(r, lang), OpenTopic(r)) for r in related[i : i + 2])
            for i in range(0, len(related), 2)
        ]
        action_row = [Button(self.t(lang, "btn.share"), Share(topic_id))]
        if topic.referrals:
            action_row.insert(0, Button(self.t(lang, "btn.refer"), ShowReferrals(topic_id)))
        rows.append(tuple(action_row))
        rows.append(
            (
                Button(self.t(lang, "btn.vote_up"), Vote(topic_id, True)),
                Button(self.t(lang, "btn.vote_down"), Vote(topic_id, False)),
            )
        )
        nav = [Button(self.t(lang, "btn.menu"), OpenMenu())]
        if topic_id != EMERGENCY_TOPIC and EMERGENCY_TOPIC in self.kb.topics:
            nav.append(Button(self.t(lang, "btn.emergency"), OpenTopic(EMERGENCY_TOPIC)))
        if back is not None:
            nav.insert(0, Button(self.t(lang, "btn.back"), back))
        rows.append(tuple(nav))
        kind: ReplyKind = "emergency" if topic_id == EMERGENCY_TOPIC else "answer"
        html = self.topic_html(topic, lang) + extra
        return Reply(html, lang, kind, tuple(rows), topic_id, back=back or OpenMenu())

    def card_html(self, ref: Referral, lang: Lang) -> str:
        key = (ref.id, lang)
        if key not in self._cards:
            lines = [bold(ref.display_name(lang)), escape(ref.offers.text(lang))]
            if ref.phone:
                phone = f"📞 {self.t(lang, 'card.phone')}: {bold(ref.phone)}"
                if ref.free_call:
                    phone += f" ({self.t(lang, 'card.free')})"
                if ref.hours:
                    phone += f" · {escape(ref.hours.text(lang))}"
                lines.append(phone)
            if ref.address:
                lines.append(f"📍 {self.t(lang, 'card.address')}: {escape(ref.address)}")
            if ref.website:
                lines.append(f"🌐 {escape(ref.website)}")
            if ref.email:
                lines.append(f"✉️ {escape(ref.email)}")
            if ref.notice:
                lines.append("⚠️ " + italic(escape(ref.notice.text(lang))))
            checked = self.t(lang, "card.checked", date=ref.checked.isoformat())
            if ref.confidence == "medium":
                checked += " · " + self.t(lang, "card.recheck")
            lines.append(italic(checked))
            self._cards[key] = "\n".join(lines)
        return self._cards[key]

    def topic_referrals(self, topic_id: str, region: Region | None = None) -> list[Referral]:
        """The topic's cards; for a region, those serving it and the national ones."""
        refs = [self.kb.referrals[r] for r in self.kb.topics[topic_id].referrals if r in self.kb.referrals]
        if region is not None:
            refs = [r for r in refs if not r.region or {region, *NATIONAL} & set(r.region)]
        return refs

    def card_page_count(self, topic_id: str, region: Region | None = None) -> int:
        return max(1, -(-len(self.topic_referrals(topic_id, region)) // CARDS_PER_PAGE))

    def card_pages(self, topic_id: str, lang: Lang, region: Region | None = None) -> list[list[str]]:
        """The cards as HTML, CARDS_PER_PAGE to a page, never one dropped."""
        cards = [self.card_html(r, lang) for r in self.topic_referrals(topic_id, region)]
        return [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)] or [[]]

    def referrals_reply(
        self, topic_id: str, lang: Lang, page: int = 0, region: Region | None = None
    ) -> Reply:
        topic = self.kb.topics[topic_id]
        pages = self.card_pages(topic_id, lang, region)
        page = min(max(page, 0), len(pages) - 1)
        body = self.t(lang, "referrals.title", topic=escape(topic.text(lang).title))
        if region is not None:
            body += " · " + bold(self.t(lang, f"region.{region}"))
        if len(pages) > 1:
            body += " " + italic(self.t(lang, "referrals.page", page=page + 1, pages=len(pages)))
        body += "\n\n" + ("\n\n".join(pages[page]) if pages[page] else self.t(lang, "referrals.none"))
        turn = []
        if page > 0:
            turn.append(Button(self.t(lang, "btn.prev"), ShowReferrals(topic_id, page - 1, region)))
        if page + 1 < len(pages):
            turn.append(Button(self.t(lang, "btn.next"), ShowReferrals(topic_id, page + 1, region)))
        rows: list[tuple[Button, ...]] = [tuple(turn)] if turn else []
        if len(self.topic_referrals(topic_id)) > 1:  # a choice of region only where it changes something
            regions = [
                Button(self.t(lang, f"region.{r}"), ShowReferrals(topic_id, 0, r))
                for r in REGIONS
                if r != region
            ]
            if region is not None:
                regions.append(Button(self.t(lang, "region.all"), ShowReferrals(topic_id)))
            rows.append(tuple(regions))
        if pages[page]:
            rows.append((Button(self.t(lang, "btn.report_card"), ReportCard(topic_id)),))
        back = OpenTopic(topic_id)
        rows.append((Button(self.t(lang, "btn.back"), back), Button(self.t(lang, "btn.menu"), OpenMenu())))
        return Reply(body, lang, "referrals", tuple(rows), topic_id, back=back)

    def share_reply(self, topic_id: str, lang: Lang) -> Reply:
        """What a colleague receives: the answer and the place to find more."""
        topic = self.kb.topics[topic_id]
        text = self.topic_html(topic, lang) + "\n\n" + italic(self.t(lang, "share.footer"))
        return Reply(text, lang, "share", (), topic_id, fresh=True)
