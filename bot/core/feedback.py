"""Feedback without knowing who gives it: 👍/👎 and why, a wrong referral card, an unanswered
question sent on request, and the anonymous counts every reply adds (effects: Count, StoreQuestion).
"""

from __future__ import annotations

from bot.core.actions import (
    REASONS,
    Action,
    OpenMenu,
    OpenTopic,
    ReportCard,
    SendQuestion,
    Share,
    ShowReferrals,
    Vote,
    WhyNot,
)
from bot.core.answers import Answers
from bot.core.markup import escape, italic
from bot.core.menus import Menus
from bot.core.replies import Button, Count, CountEvent, Effect, Input, Reply, StoreQuestion
from bot.core.scrub import scrub
from bot.lang import Lang

_DECISION_EVENT: dict[str, CountEvent] = {"answer": "answered", "clarify": "clarified", "none": "unanswered"}


class Feedback(Menus, Answers):
    def send_button(self, lang: Lang) -> tuple[Button, ...]:
        return (Button(self.t(lang, "btn.send_question"), SendQuestion()),)

    def _answer_without_votes(self, topic_id: str, lang: Lang, note: str) -> Reply:
        base = self.topic_reply(topic_id, lang)
        rows = tuple(r for r in base.rows if not any(isinstance(b.action, Vote) for b in r))
        return base.but(html=base.html + "\n\n" + italic(note), rows=rows)

    def feedback(self, event: Input) -> Reply:
        """A vote, a reason, a card reported wrong, or a question sent: the same answer, thanked."""
        lang, action = event.lang, event.action
        match action:
            case Vote(topic, True):
                reply = self._answer_without_votes(topic, lang, self.t(lang, "feedback.thanks"))
                return reply.but(effects=(Count("vote_up", topic),))
            case Vote(topic, False):
                reply = self._answer_without_votes(topic, lang, self.t(lang, "feedback.why"))
                reasons = tuple(Button(self.t(lang, f"btn.reason.{r}"), WhyNot(topic, r)) for r in REASONS)
                return reply.but(rows=(reasons, *reply.rows), effects=(Count("vote_down", topic),))
            case WhyNot(topic, reason):
                offer = reason == "not_mine" and bool(event.asked)
                note = self.t(lang, "feedback.send_offer" if offer else "feedback.thanks")
                reply = self._answer_without_votes(topic, lang, note)
                rows = (self.send_button(lang), *reply.rows) if offer else reply.rows
                return reply.but(rows=rows, effects=(Count(reason, topic),))
            case SendQuestion() if event.asked:
                text = scrub(event.asked)
                html = self.t(lang, "feedback.sent") + "\n\n" + italic(escape(text))
                effects: tuple[Effect, ...] = (StoreQuestion(text), Count("question_sent"))
                return self.main_menu(lang, html, kind="info").but(effects=effects)
            case SendQuestion():
                return self.main_menu(lang, self.t(lang, "feedback.forgotten"), kind="info")
            case ReportCard(topic, None):
                cards = self.topic_referrals(topic)
                rows = tuple(
                    (Button("⚠️ " + ref.display_name(lang), ReportCard(topic, i)),)
                    for i, ref in enumerate(cards)
                )
                back = ShowReferrals(topic)
                rows += ((Button(self.t(lang, "btn.back"), back),),)
                return Reply(self.t(lang, "feedback.which_card"), lang, "info", rows, topic, back=back)
            case ReportCard(topic, index) if index is not None:
                card = self.topic_referrals(topic)[index]
                back = ShowReferrals(topic)
                html = self.t(lang, "feedback.card_thanks", card=escape(card.display_name(lang)))
                rows = (
                    (Button(self.t(lang, "btn.back"), back), Button(self.t(lang, "btn.menu"), OpenMenu())),
                )
                return Reply(
                    html, lang, "info", rows, topic, effects=(Count("card_wrong", card.id),), back=back
                )
        return self.main_menu(lang)

    def feedback_offers(self, action: Action) -> bool:
        match action:
            case Vote(topic, _) | WhyNot(topic, _):
                return topic in self.kb.topics
            case ReportCard(topic, index):
                return topic in self.kb.topics and (
                    index is None or 0 <= index < len(self.topic_referrals(topic))
                )
            case SendQuestion():
                return True
        return False

    def counted(self, event: Input, reply: Reply) -> Reply:
        """The reply with its anonymous counts: what was shown, never who saw it."""
        counts: list[Count] = []
        topic = reply.topic_id or ""
        if event.text and event.command is None and event.action is None and reply.match is not None:
            if reply.kind == "emergency":
                counts.append(Count("emergency"))
            elif reply.kind != "greeting":
                counts.append(Count(_DECISION_EVENT[reply.decision]))
        elif event.command == "sos":
            counts.append(Count("emergency"))
        match event.action:
            case ShowReferrals(_, 0, None):
                counts.append(Count("referrals", topic))
            case Share(shared):
                counts.append(Count("shared", shared))
        if reply.kind in ("answer", "emergency") and topic and not isinstance(event.action, Vote | WhyNot):
            back = event.action.back if isinstance(event.action, OpenTopic) else None
            service = back.service if isinstance(back, OpenMenu) and back.service else ""
            counts.append(Count("shown", topic, service))
        if not counts:
            return reply
        return reply.but(effects=(*reply.effects, *counts))
