"""The ``rnnforecast`` app: global options, and every command registered from its module.

Only typer, the command modules' option declarations and our standard-library helpers are
imported here: ``rnnforecast --help`` never imports torch or pandas.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import rnnforecast.cli.demo as demo
import rnnforecast.cli.evaluate as evaluate
import rnnforecast.cli.explain as explain
import rnnforecast.cli.fit as fit
import rnnforecast.cli.info as info
import rnnforecast.cli.plot as plot
import rnnforecast.cli.predict as predict
import rnnforecast.cli.report as report
from rnnforecast.cli.support import OPTIONS, rewrap

app = typer.Typer(
    name="rnnforecast",
    help="Honest, fast recurrent-network forecasting (RNN, LSTM, GRU) on a plain CPU, always "
    "held against naive baselines.",
    epilog="Example: rnnforecast demo   (the whole job on the embedded AirPassengers data)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from rnnforecast._version import __version__

        typer.echo(f"rnnforecast {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
    = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress or messages, only results.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="More messages on stderr, also when not on a terminal.")]
    = False,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show the traceback of errors.")] = False,
) -> None:
    """Honest, fast recurrent-network forecasting (RNN, LSTM, GRU) on a plain CPU."""
    OPTIONS.quiet, OPTIONS.verbose, OPTIONS.debug = quiet, verbose and not quiet, debug


app.command(epilog=demo.EPILOG)(rewrap(demo.demo))
app.command(epilog=fit.EPILOG)(rewrap(fit.fit))
app.command(epilog=predict.EPILOG)(rewrap(predict.predict))
app.command(epilog=evaluate.EPILOG)(rewrap(evaluate.evaluate))
app.command(epilog=plot.EPILOG)(rewrap(plot.plot))
app.command(epilog=info.EPILOG)(rewrap(info.info))
for command in (explain.gradients, explain.compare):
    rewrap(command)
app.add_typer(explain.explain_app, name="explain")
app.command(name="report", epilog=report.EPILOG)(rewrap(report.report))


def main() -> None:
    """Console-script entry point (``rnnforecast``)."""
    try:
        app(prog_name="rnnforecast")
    except KeyboardInterrupt:  # outside a command (while parsing arguments)
        sys.stderr.write("interrupted\n")
        sys.exit(130)

