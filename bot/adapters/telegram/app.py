"""Telegram adapter (placeholder until the Telegram issue lands)."""

from __future__ import annotations

import argparse
import sys


def run_telegram(args: argparse.Namespace) -> int:
    print("The Telegram bot is not built yet; use `guidebot console`.", file=sys.stderr)
    return 1
