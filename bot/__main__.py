"""`python -m bot` is the `guidebot` command."""

from bot.cli import main

raise SystemExit(main())
