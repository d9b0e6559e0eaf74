"""The ``rnnforecast`` command line: one module per command (`demo`, `fit`, `predict`,
`evaluate`, `plot`, `info`, `explain`, `report`), assembled in `rnnforecast.cli.application`.

Results go to stdout, messages to stderr (on a terminal or with --verbose), training progress
and notices of choices made for the user to stderr always (never with --quiet), colour only on
a terminal. Errors name flags, not the library's keywords (`rnnforecast.cli.language`). Bad
input or options: one line ``error: what, where, what to do`` and exit code 2; anything
unexpected: exit code 1 (traceback with ``--debug``); Ctrl-C: exit code 130. Every
output file is written atomically after everything was computed, so a failed run never
creates or truncates one. Only typer is imported when the app is built (plus our
standard-library helpers): ``rnnforecast --help`` never imports torch or pandas; each
command imports its work when it runs.
"""

from rnnforecast.cli.application import app, main

__all__ = ["app", "main"]
