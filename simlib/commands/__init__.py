"""Subcommands of the ``simlib`` CLI: one module each, with ``register(subparsers)``."""
