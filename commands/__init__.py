"""Subcommands of ``cli.py``, one module per area; each module's ``register(subparsers)`` adds its commands."""
