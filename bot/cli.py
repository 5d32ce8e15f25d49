"""The guidebot command: console | ask | check | eval | run | setup | reload | qr."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.conversation import Core, Input, plain_text
from bot.knowledge.models import LANGS
from bot.paths import knowledge_dir, locales_dir, shared_file
from bot.problems import KnowledgeError, by_position


def _core(args: argparse.Namespace) -> Core:
    from bot.paths import cache_dir

    if not any(cache_dir().glob("intent-*.npz")):
        print(
            "First start here: preparing the matcher (about a minute, once)...", file=sys.stderr, flush=True
        )
    return Core.load(args.knowledge, args.locales, args.lang)


def cmd_console(args: argparse.Namespace) -> int:
    from bot.adapters.console import run_console

    return run_console(_core(args), args.lang)


def cmd_ask(args: argparse.Namespace) -> int:
    core = _core(args)
    question = " ".join(args.question)
    reply = core.respond(Input(args.lang, text=question))
    if args.json:
        match = reply.match
        payload = {
            "lang": reply.lang,
            "decision": match.decision if match else "none",
            "emergency": bool(match and match.emergency),
            # why: the danger classifier's score and what raised the alarm (classifier or a lexicon concept)
            "danger": {"score": round(v.score, 3), "cue": v.cue} if match and (v := match.verdict) else None,
            "matches": [{"topic": t, "score": s} for t, s in (match.matches if match else ())],
            "text": plain_text(reply.html),
        }
        if reply.kind == "greeting":
            payload["decision"] = "none"
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(plain_text(reply.html))
        for n, button in enumerate(reply.buttons(), 1):
            print(f"  [{n}] {button.label}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bot.i18n import load_strings
    from bot.knowledge.checks import run_checks
    from bot.knowledge.loader import load_knowledge

    problems = []
    kb = strings = None
    try:
        kb = load_knowledge(args.knowledge)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    try:
        strings = load_strings(args.locales)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    if kb is not None:
        problems.extend(run_checks(kb, strings, args.spec, args.facts))
    elif strings is not None:
        problems.extend(strings.check())
    for problem in by_position(problems):
        if problem.severity != "info" or not args.quiet:
            print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    infos = sum(p.severity == "info" for p in problems)
    summary = f"{errors} errors, {warnings} warnings"
    if infos:
        summary += f", {infos} notes (medium-confidence referrals: re-check these first; -q hides them)"
    if kb is not None:
        summary += (
            f"; {len(kb.topics)} topics, {len(kb.referrals)} referrals, {len(kb.tips)} tips, 4 languages"
        )
    print(summary, file=sys.stderr)
    failed = errors or (args.strict and warnings)
    return 1 if failed else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluation import evaluate, format_table, load_items

    core = _core(args)
    report = evaluate(core, load_items(args.file))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(format_table(report))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.adapters.telegram.app import run_telegram

    return run_telegram(args)


def cmd_setup(args: argparse.Namespace) -> int:
    from bot.adapters.telegram.app import setup_telegram

    return setup_telegram(args)


def cmd_reload(args: argparse.Namespace) -> int:
    from bot.adapters.telegram.app import reload_running

    return reload_running(args)


def cmd_qr(args: argparse.Namespace) -> int:
    from bot.posters import PosterError, write_qr, write_sheet

    core = _core(args)
    try:
        if args.all:
            links = write_sheet(core, args.bot_username, args.lang, args.out)
            print(f"{args.out}: {len(links)} service menus")
        elif args.target:
            link = write_qr(core, args.target, args.bot_username, args.lang, args.out)
            print(f"{args.out}: {link}")
        else:
            print("Error: name a topic or service, or use --all", file=sys.stderr)
            return 2
    except (PosterError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_default(args: argparse.Namespace) -> int:
    """No subcommand: Telegram with a token, the console without one."""
    from bot.config import load_dotenv_once

    load_dotenv_once()
    if os.environ.get("GUIDEBOT_TELEGRAM_TOKEN"):
        args.webhook = False
        return cmd_run(args)
    print(
        "No GUIDEBOT_TELEGRAM_TOKEN set: starting the console (set it to run the Telegram bot).",
        file=sys.stderr,
    )
    return cmd_console(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guidebot", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--knowledge", type=Path, default=knowledge_dir(), help="knowledge folder")
    common.add_argument("--locales", type=Path, default=locales_dir(), help="locales folder")
    common.add_argument(
        "--lang",
        choices=LANGS,
        default=os.environ.get("GUIDEBOT_DEFAULT_LANG", "en")
        if os.environ.get("GUIDEBOT_DEFAULT_LANG") in LANGS
        else "en",
    )
    parser.set_defaults(func=cmd_default, knowledge=knowledge_dir(), locales=locales_dir(), lang="en")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("console", parents=[common], help="chat in the terminal")
    p.set_defaults(func=cmd_console)

    p = sub.add_parser("ask", parents=[common], help="one answer")
    p.add_argument("--json", action="store_true")
    p.add_argument("question", nargs="+")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("check", parents=[common], help="validate knowledge and locales")
    p.add_argument("--spec", type=Path, default=shared_file("spec", "topics.yaml"))
    p.add_argument("--facts", type=Path, default=shared_file("facts", "referrals.yaml"))
    p.add_argument("--strict", action="store_true", help="warnings fail too")
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="hide notes (medium-confidence referrals due for re-checking)",
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("eval", parents=[common], help="score the matcher on a question set")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("run", parents=[common], help="start the Telegram bot")
    p.add_argument("--webhook", action="store_true", help="webhook mode instead of polling")
    p.add_argument("--webhook-url", default=os.environ.get("GUIDEBOT_WEBHOOK_URL"))
    p.add_argument("--port", type=int, default=int(os.environ.get("GUIDEBOT_WEBHOOK_PORT", "8443")))
    p.add_argument("--listen", default=os.environ.get("GUIDEBOT_WEBHOOK_LISTEN", "0.0.0.0"))
    p.add_argument("--secret-token", default=os.environ.get("GUIDEBOT_WEBHOOK_SECRET"))
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "setup", parents=[common], help="push commands and descriptions to Telegram, 4 languages"
    )
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser(
        "reload", parents=[common], help="validate, then make the running bot reload knowledge (SIGHUP)"
    )
    p.add_argument("--pid", help="pid file (default: beside GUIDEBOT_DB)")
    p.set_defaults(func=cmd_reload)

    p = sub.add_parser("qr", parents=[common], help="QR code deep-linking to a topic or menu, for posters")
    p.add_argument("target", nargs="?", help="topic id or service id")
    p.add_argument("--bot-username", required=True)
    p.add_argument("--out", type=Path, required=True, help=".png or .svg (with --all: .pdf or .svg)")
    p.add_argument("--all", action="store_true", help="an A4 sheet of all service menus")
    p.set_defaults(func=cmd_qr)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problems: fix them, then run `guidebot check`.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
