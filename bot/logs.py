"""Logging that cannot leak: the token is redacted and chatty third-party loggers are muted.

python-telegram-bot, httpx and aiosqlite log request URLs (which contain the token) and whole
updates (names, message texts) at DEBUG/INFO. Only our own loggers, which log event kinds and
never user data, may speak below WARNING.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time

OWN = "bot"


class Redact(logging.Filter):
    """Drops third-party chatter below WARNING and blanks the token everywhere."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name == OWN or record.name.startswith(OWN + ".")
        if not own and record.levelno < logging.WARNING:
            return False
        message = record.getMessage()
        if record.exc_info and not own:
            # A third-party traceback may quote the request; keep only the exception type.
            message = f"{message} ({record.exc_info[0].__name__ if record.exc_info[0] else 'error'})"
            record.exc_info = None
            record.exc_text = None
        for secret in self.secrets:
            message = message.replace(secret, "[token]")
        record.msg, record.args = message, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0]:
            payload["error"] = record.exc_info[0].__name__
        return json.dumps(payload, ensure_ascii=False)


def setup_logging(
    level: str = "INFO", json_lines: bool = False, secrets: tuple[str, ...] = (), stream: object = None
) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.addFilter(Redact(secrets))
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Muted at the source as well, so their DEBUG records are never even built.
    for name in ("httpx", "httpcore", "telegram", "aiosqlite", "apscheduler", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    return handler


def one_line(exc: BaseException, token: str) -> str:
    """An error as one line for stderr, the token (if any) redacted."""
    message = f"{type(exc).__name__}: {exc}"
    return f"Error: {message.replace(token, '[token]') if token else message}"


def install_last_resort(token: str) -> None:
    """Whatever escapes a thread or the interpreter reaches stderr as one redacted line, never a
    traceback that could quote the token or a request."""

    def report(exc: BaseException) -> None:
        print(one_line(exc, token), file=sys.stderr)

    sys.excepthook = lambda _type, exc, _tb: report(exc)
    threading.excepthook = lambda args: report(args.exc_value) if args.exc_value else None
