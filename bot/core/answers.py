"""A topic's answer with its related topics, its referral cards, and the shareable version."""

from __future__ import annotations

from bot.core.actions import Back, OpenMenu, OpenTopic, Share, ShowReferrals
from bot.core.base import MAX_REPLY_CHARS, Base
from bot.core.markup import bold, escape, italic, safe_html
from bot.core.replies import Button, Reply, ReplyKind
from bot.knowledge.models import Referral, Topic
from bot.lang import Lang
from bot.matching.matcher import EMERGENCY_TOPIC

MAX_RELATED = 6


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
        nav = [Button(self.t(lang, "btn.menu"), OpenMenu())]
        if back is not None:
            nav.insert(0, Button(self.t(lang, "btn.back"), back))
        rows.append(tuple(nav))
        kind: ReplyKind = "emergency" if topic_id == EMERGENCY_TOPIC else "answer"
        html = self.topic_html(topic, lang) + extra
        return Reply(html, lang, kind, tuple(rows), topic_id, back=back or OpenMenu())

    def card_html(self, ref: Referral, lang: Lang) -> str:
        key = (ref.id, lang)
        if key not in self._cards:
            lines = [bold(ref.display_name(lang)), escape(ref.offers.get(lang))]
            if ref.phone:
                phone = f"📞 {self.t(lang, 'card.phone')}: {bold(ref.phone)}"
                if ref.free_call:
                    phone += f" ({self.t(lang, 'card.free')})"
                if ref.hours:
                    phone += f" · {escape(ref.hours.get(lang))}"
                lines.append(phone)
            if ref.address:
                lines.append(f"📍 {self.t(lang, 'card.address')}: {escape(ref.address)}")
            if ref.website:
                lines.append(f"🌐 {escape(ref.website)}")
            if ref.email:
                lines.append(f"✉️ {escape(ref.email)}")
            if ref.notice:
                lines.append("⚠️ " + italic(escape(ref.notice.get(lang))))
            checked = self.t(lang, "card.checked", date=ref.checked.isoformat())
            if ref.confidence == "medium":
                checked += " · " + self.t(lang, "card.recheck")
            lines.append(italic(checked))
            self._cards[key] = "\n".join(lines)
        return self._cards[key]

    def referrals_reply(self, topic_id: str, lang: Lang) -> Reply:
        topic = self.kb.topics[topic_id]
        body = self.t(lang, "referrals.title", topic=escape(topic.text(lang).title))
        cards = [
            self.card_html(self.kb.referrals[r], lang) for r in topic.referrals if r in self.kb.referrals
        ]
        for card in cards:
            if len(body) + len(card) + 2 > MAX_REPLY_CHARS:
                break
            body += "\n\n" + card
        if not cards:
            body += "\n\n" + self.t(lang, "referrals.none")
        back = OpenTopic(topic_id)
        rows = ((Button(self.t(lang, "btn.back"), back), Button(self.t(lang, "btn.menu"), OpenMenu())),)
        return Reply(body, lang, "referrals", rows, topic_id, back=back)

    def share_reply(self, topic_id: str, lang: Lang) -> Reply:
        """What a colleague receives: the answer and the place to find more."""
        topic = self.kb.topics[topic_id]
        text = self.topic_html(topic, lang) + "\n\n" + italic(self.t(lang, "share.footer"))
        return Reply(text, lang, "answer", (), topic_id)
