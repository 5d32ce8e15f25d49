"""Practice modes: five scenarios to rehearse, a reflection a day, a managers' checklist.

A run lives in the adapter's memory for one conversation (the `KeepRun` effect, 30 minutes, gone
on a restart); nothing about anyone's answers is stored, only daily counts of runs. A button
names its run's token and step, so a stale or forged one is answered "expired", never obeyed.
"""

from __future__ import annotations

import random
import secrets
from datetime import date

from bot.core.actions import (
    ChecklistStep,
    OpenMenu,
    OpenTopic,
    PracticeAction,
    PracticeStep,
    StartChecklist,
    StartPractice,
)
from bot.core.base import Base
from bot.core.markup import bold, escape, italic
from bot.core.replies import Button, Count, EndRun, Input, KeepRun, Reply, Run
from bot.knowledge.models import SERVICE_IDS
from bot.knowledge.practice import RUN_LENGTH
from bot.lang import Lang

MARKS = {"good": "✅", "partly": "🟡", "poor": "❌"}
ANSWERS = (2, 1, 0)  # yes, partly, no: the checklist's buttons, in this order
NEXT_STEPS = 3


def _token() -> str:
    return secrets.token_hex(3)


class PracticeScreens(Base):
    def practice_menu(self, lang: Lang) -> Reply:
        if not self.kb.practice.scenarios:
            return Reply(self.t(lang, "practice.none"), lang, "info")
        rows = [
            (Button(self.kb.services[s].label.text(lang), StartPractice(s)),)
            for s in SERVICE_IDS
            if s in self.kb.services and any(x.service == s for x in self.kb.practice.scenarios)
        ]
        rows.append((Button(self.t(lang, "btn.practice_mix"), StartPractice()),))
        return Reply(self.t(lang, "practice.menu"), lang, "info", tuple(rows))

    def practise(self, event: Input) -> Reply:
        lang, action, run = event.lang, event.action, event.run
        match action:
            case StartPractice(service):
                pool = [i for i, s in enumerate(self.kb.practice.scenarios) if service in (None, s.service)]
                if not pool:
                    return self.practice_menu(lang)
                token = _token()
                picked = tuple(random.Random(token).sample(pool, min(RUN_LENGTH, len(pool))))
                new = Run(token, "practice", service or "", picked)
                reply = self._scenario(new, lang)
                return reply.but(effects=(KeepRun(new), Count("practice_started", "", service or "")))
            case StartChecklist():
                if not self.kb.practice.checklist:
                    return Reply(self.t(lang, "practice.none"), lang, "info")
                new = Run(_token(), "checklist", "", tuple(range(len(self.kb.practice.checklist))))
                return self._question(new, lang).but(effects=(KeepRun(new),))
            case PracticeStep(token, step, choice) if run and run.token == token and run.kind == "practice":
                if choice is not None and step == len(run.answers) < len(run.items):
                    scenario = self.kb.practice.scenarios[run.items[step]].text(lang)
                    if choice < len(scenario.choices):
                        done = Run(run.token, run.kind, run.service, run.items, (*run.answers, choice))
                        return self._feedback(done, lang).but(effects=(KeepRun(done),))
                if choice is None and step == len(run.answers) == len(run.items):
                    return self._summary(run, lang)
                return self._scenario(run, lang)  # a button pressed twice: where the run is now
            case ChecklistStep(token, step, answer) if run and run.token == token and run.kind == "checklist":
                if step == len(run.answers) and answer in ANSWERS:
                    done = Run(run.token, run.kind, run.service, run.items, (*run.answers, answer))
                    if len(done.answers) == len(done.items):
                        return self._checklist_summary(done, lang)
                    return self._question(done, lang).but(effects=(KeepRun(done),))
                return self._question(run, lang)
        return self._expired(lang)

    def _expired(self, lang: Lang) -> Reply:
        """A button of a run this bot no longer holds (30 minutes passed, or a restart)."""
        menu = self.practice_menu(lang)
        rows = (*menu.rows, (Button(self.t(lang, "btn.checklist"), StartChecklist()),))
        return menu.but(html=self.t(lang, "practice.expired") + "\n\n" + menu.html, kind="expired", rows=rows)

    def _scenario(self, run: Run, lang: Lang) -> Reply:
        step = len(run.answers)
        if step >= len(run.items):
            return self._feedback(run, lang)
        scenario = self.kb.practice.scenarios[run.items[step]]
        text = scenario.text(lang)
        head = self.t(lang, "practice.title", n=step + 1, total=len(run.items))
        html = f"{bold(head)}\n\n{escape(text.situation)}\n\n{italic(self.t(lang, 'practice.choose'))}"
        rows = tuple((Button(c.text, PracticeStep(run.token, step, i)),) for i, c in enumerate(text.choices))
        return Reply(html, lang, "practice", rows, scenario.topic)

    def _feedback(self, run: Run, lang: Lang) -> Reply:
        step = len(run.answers) - 1
        scenario = self.kb.practice.scenarios[run.items[step]]
        text = scenario.text(lang)
        chosen = text.choices[run.answers[step]]
        best = [c.text for c in text.choices if c.grade == "good"]
        html = (
            f"{escape(text.situation)}\n\n{self.t(lang, 'practice.you_chose')} {italic(escape(chosen.text))}\n"
            f"{MARKS[chosen.grade]} {bold(self.t(lang, 'practice.' + chosen.grade))} {escape(chosen.feedback)}"
        )
        if chosen.grade != "good":
            html += f"\n\n{self.t(lang, 'practice.better')} {italic(escape(best[0]))}"
        last = step + 1 == len(run.items)
        label = self.t(lang, "btn.summary" if last else "btn.next_scenario")
        rows = (
            (Button("📖 " + self.title(scenario.topic, lang), OpenTopic(scenario.topic)),),
            (Button(label, PracticeStep(run.token, step + 1)),),
        )
        return Reply(html, lang, "practice", rows, scenario.topic)

    def _summary(self, run: Run, lang: Lang) -> Reply:
        scenarios = [self.kb.practice.scenarios[i] for i in run.items]
        grades: list[str] = [
            s.text(lang).choices[a].grade for s, a in zip(scenarios, run.answers, strict=True)
        ]
        html = (
            bold(self.t(lang, "practice.done", n=len(grades)))
            + "\n"
            + " · ".join(f"{MARKS[g]} {grades.count(g)}" for g in MARKS)
        )
        revisit = list(dict.fromkeys(s.topic for s, g in zip(scenarios, grades, strict=True) if g != "good"))
        rows = [(Button("📖 " + self.title(t, lang), OpenTopic(t)),) for t in revisit]
        html += "\n\n" + self.t(lang, "practice.revisit" if revisit else "practice.all_good")
        rows.append((Button(self.t(lang, "btn.practise_again"), StartPractice(None)),))
        rows.append((Button(self.t(lang, "btn.menu"), OpenMenu()),))
        effects = (EndRun(), Count("practice_finished", "", run.service))
        return Reply(html, lang, "practice", tuple(rows), effects=effects)

    def _question(self, run: Run, lang: Lang) -> Reply:
        step = len(run.answers)
        item = self.kb.practice.checklist[run.items[step]]
        head = self.t(lang, "checklist.title", n=step + 1, total=len(run.items))
        intro = self.t(lang, "checklist.intro") + "\n\n" if step == 0 else ""
        html = f"{intro}{bold(head)}\n\n{escape(item.text(lang).question)}"
        labels = {2: "btn.yes", 1: "btn.partly", 0: "btn.no"}
        row = tuple(Button(self.t(lang, labels[a]), ChecklistStep(run.token, step, a)) for a in ANSWERS)
        return Reply(html, lang, "practice", (row,))

    def _checklist_summary(self, run: Run, lang: Lang) -> Reply:
        items = [self.kb.practice.checklist[i] for i in run.items]
        most = sum(2 * c.weight for c in items)
        score = round(100 * sum(a * c.weight for c, a in zip(items, run.answers, strict=True)) / most)
        gaps = sorted(
            ((c, a) for c, a in zip(items, run.answers, strict=True) if a < 2),
            key=lambda ca: (ca[1], -ca[0].weight),
        )[:NEXT_STEPS]
        html = bold(self.t(lang, "checklist.done", score=score))
        if gaps:
            html += "\n\n" + self.t(lang, "checklist.steps") + "\n"
            html += "\n".join(f"{n}. {escape(c.text(lang).next_step)}" for n, (c, _) in enumerate(gaps, 1))
        else:
            html += "\n\n" + self.t(lang, "checklist.all_good")
        html += "\n\n" + italic(self.t(lang, "checklist.forward"))
        rows = [(Button("📖 " + self.title(c.topic, lang), OpenTopic(c.topic)),) for c, _ in gaps]
        rows.append((Button(self.t(lang, "btn.menu"), OpenMenu()),))
        effects = (EndRun(), Count("checklist_finished"))
        return Reply(html, lang, "practice", tuple(rows), effects=effects, fresh=True)

    def reflection(self, lang: Lang, day: date) -> Reply:
        """The same prompt for everyone on a given day, a different one the next day."""
        prompts = self.kb.practice.reflections
        if not prompts:
            return Reply(self.t(lang, "practice.none"), lang, "info")
        prompt = prompts[day.toordinal() % len(prompts)]
        html = f"{bold(self.t(lang, 'reflect.title'))}\n\n{escape(prompt.text(lang))}"
        rows = ((Button("📖 " + self.title(prompt.topic, lang), OpenTopic(prompt.topic)),),)
        return Reply(html, lang, "tip", rows, prompt.topic)

    def practice_offers(self, action: PracticeAction) -> bool:
        match action:
            case StartPractice(service):
                return service is None or service in self.kb.services
            case PracticeStep(token, step, choice):
                return _valid_token(token) and 0 <= step <= RUN_LENGTH and (choice is None or 0 <= choice < 4)
            case StartChecklist():
                return True
            case ChecklistStep(token, step, answer):
                return _valid_token(token) and 0 <= step < 15 and answer in ANSWERS
        return False


def _valid_token(token: str) -> bool:
    return len(token) == 6 and all(c in "0123456789abcdef" for c in token)
