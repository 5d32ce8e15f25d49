"""The guidebot command: console | ask | check | eval | run | setup | reload | qr | print.

The CLI alone turns errors into a message and an exit code: 0 ok, 1 no answer / check errors /
a command that failed, 2 usage or configuration errors. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot.cli_curator import add_parsers as add_curator_parsers
from bot.cli_paper import cmd_print, cmd_qr
from bot.config import ConfigError, Settings
from bot.core.core import Core
from bot.core.markup import plain_text
from bot.core.replies import Input
from bot.lang import LANGS, Lang
from bot.logs import install_last_resort, one_line
from bot.paths import shared_file
from bot.problems import CommandFailed, KnowledgeError, by_position

OK, FAILED, USAGE = 0, 1, 2


def core_for(settings: Settings, lang: Lang) -> Core:
    if not any(settings.cache.glob("intent-*.npz")):
        print(
            "First start here: preparing the matcher (about a minute, once)...", file=sys.stderr, flush=True
        )
    return Core.load(settings.knowledge, settings.locales, lang, cache=settings.cache)


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.console import Recorder, run_console

    recorder = Recorder(settings.db_path)
    try:
        return run_console(core_for(settings, args.lang), args.lang, record=recorder)
    finally:
        recorder.close()


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    reply = core_for(settings, args.lang).respond(Input(args.lang, text=" ".join(args.question)))
    match = reply.match
    if args.json:
        payload = {
            "lang": reply.lang,
            "decision": reply.decision,
            "emergency": bool(match and match.emergency),
            # why: the danger classifier's score and what raised the alarm (classifier or a lexicon concept)
            "danger": {"score": round(v.score, 3), "cue": v.cue} if match and (v := match.verdict) else None,
            "matches": [{"topic": t, "score": s} for t, s in (match.matches if match else ())],
            "text": plain_text(reply.html),
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(plain_text(reply.html))
        for n, button in enumerate(reply.buttons(), 1):
            print(f"  [{n}] {button.label}")
    answered = reply.kind in ("answer", "emergency", "clarify", "greeting")
    return OK if answered else FAILED


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.telegram.codec import check as check_buttons
    from bot.core.screens import Screens
    from bot.i18n import load_strings
    from bot.knowledge.checks import run_checks
    from bot.knowledge.loader import load_knowledge

    problems = []
    kb = strings = None
    try:
        kb = load_knowledge(settings.knowledge)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    try:
        strings = load_strings(settings.locales)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    if kb is not None:
        problems.extend(run_checks(kb, strings, args.spec, args.facts))
        if strings is not None:
            problems.extend(check_buttons(Screens(kb, strings), settings.knowledge))
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
        summary += f"; {len(kb.topics)} topics, {len(kb.referrals)} referrals, {len(kb.tips)} tips, {len(LANGS)} languages"
    print(summary, file=sys.stderr)
    return FAILED if errors or (args.strict and warnings) else OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import evaluate, format_table, load_items

    items = load_items(args.file)
    report = evaluate(core_for(settings, args.lang), items)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else format_table(report))
    return OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.telegram.app import run_telegram

    hook = settings.webhook
    hook = replace(
        hook,
        url=args.webhook_url or hook.url,
        secret=args.secret_token or hook.secret,
        listen=args.listen or hook.listen,
        port=args.port or hook.port,
    )
    run_telegram(replace(settings, webhook=hook), webhook=args.webhook)
    return OK


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.telegram.app import setup_telegram

    settings.require_token()
    result = setup_telegram(settings, core_for(settings, settings.default_lang))
    print(
        f"setup: {result['changed']} settings updated, {result['unchanged']} already up to date "
        f"(commands, description, short description x {len(LANGS)} languages + default)"
    )
    return OK


def cmd_reload(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.telegram.app import reload_running

    pid = reload_running(settings, Path(args.pid) if args.pid else None)
    print(f"reload requested (pid file {pid})")
    return OK


def cmd_default(args: argparse.Namespace, settings: Settings) -> int:
    """No subcommand: Telegram with a token, the console without one."""
    if settings.token:
        args.webhook, args.webhook_url, args.secret_token, args.listen, args.port = (
            False,
            None,
            None,
            None,
            None,
        )
        return cmd_run(args, settings)
    print(
        "No GUIDEBOT_TELEGRAM_TOKEN set: starting the console (set it to run the Telegram bot).",
        file=sys.stderr,
    )
    return cmd_console(args, settings)


def build_parser() -> argparse.ArgumentParser:
    """Flags only; their defaults come from the settings (GUIDEBOT_*), applied in main()."""
    parser = argparse.ArgumentParser(prog="guidebot", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--knowledge", type=Path, help="knowledge folder (default: GUIDEBOT_KNOWLEDGE or ./knowledge)"
    )
    common.add_argument(
        "--locales", type=Path, help="locales folder (default: GUIDEBOT_LOCALES or ./locales)"
    )
    common.add_argument(
        "--lang", choices=LANGS, help="interface language (default: GUIDEBOT_DEFAULT_LANG or en)"
    )
    parser.set_defaults(func=cmd_default, knowledge=None, locales=None, lang=None)
    sub = parser.add_subparsers(dest="command")

    sub.add_parser("console", parents=[common], help="chat in the terminal").set_defaults(func=cmd_console)

    p = sub.add_parser("ask", parents=[common], help="one answer (exit 1 when there is none)")
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
    p.add_argument("--webhook-url", help="public URL (default: GUIDEBOT_WEBHOOK_URL)")
    p.add_argument("--port", type=int, help="listening port (default: GUIDEBOT_WEBHOOK_PORT or 8443)")
    p.add_argument("--listen", help="listening address (default: GUIDEBOT_WEBHOOK_LISTEN or 0.0.0.0)")
    p.add_argument("--secret-token", help="webhook secret (default: GUIDEBOT_WEBHOOK_SECRET)")
    p.set_defaults(func=cmd_run)

    help_setup = f"push commands and descriptions to Telegram, {len(LANGS)} languages"
    sub.add_parser("setup", parents=[common], help=help_setup).set_defaults(func=cmd_setup)

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
    p = sub.add_parser("print", parents=[common], help="the printable pocket guide (A6 PDF) of a service")
    p.add_argument("--service", help="health, police, education, housing or social (default: all topics)")
    p.add_argument("--bot-username", required=True, help="for the QR code of each topic")
    p.add_argument("--out", type=Path, required=True, help=".pdf")
    p.set_defaults(func=cmd_print)
    add_curator_parsers(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # usage errors: argparse prints them and exits 2
    token = ""
    try:
        settings = Settings.from_env()
        token = settings.token
        install_last_resort(token)
        settings = replace(
            settings,
            knowledge=args.knowledge or settings.knowledge,
            locales=args.locales or settings.locales,
        )
        args.lang = args.lang or settings.default_lang
        result: int = args.func(args, settings)
        return result
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return USAGE
    except CommandFailed as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return FAILED
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problems: {exc.advice}", file=sys.stderr)
        return FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return OK
    except Exception as exc:  # the last line of defence: one line, never a traceback or the token
        print(one_line(exc, token), file=sys.stderr)
        return FAILED
