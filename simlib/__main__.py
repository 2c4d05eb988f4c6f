"""``python -m simlib`` is the same as the ``simlib`` console script."""

from simlib.cli import main

raise SystemExit(main())
