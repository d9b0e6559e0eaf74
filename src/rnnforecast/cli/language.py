"""The command line's language: library messages name Python keywords (``resume=True``),
the command line's user reads flags (``--resume``). `cli_language` translates one into the
other for every error and warning a command prints; the library keeps its keywords.

Only the standard library is imported at module level (typer when a message is translated).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

#: ``name=value`` as the Python API spells an option, with an optional ``(--flag ...)`` or
#: ``/ --flag`` after it when a message already names the flag too
_KEYWORD = re.compile(
    r"(?<![\w.-])(?P<name>(?:--)?[a-z][a-z0-9_-]*)="
    r"(?P<value>True\b|False\b|None\b|'[^']*'(?:\s*(?:\||or|,)\s*'[^']*')*|\[[^\]]*\]|<[^>]+>"
    r"|[^\s,;:)]*)"
    r"(?P<alt>\s*\((?P<paren>--[^)]*)\)|\s*/\s*(?P<slash>--[\w-]+))?")
#: a bare keyword with an underscore (``num_layers``): never an English word
_BARE = re.compile(r"(?<![\w.'\"-])[a-z]+_[a-z0-9_]+(?![\w='\"(])")
#: API spellings with no one-to-one flag
_SPECIAL = (
    ("Forecaster.load(path).fit(data, warm_start=True)", "rnnforecast fit DATA --init MODEL"),
    ("checkpoint=<folder>", "--checkpoint DIR"),
    ("what Forecaster.load reads and a warm start continues", "what --init continues"),
    ("load it with rnnforecast.combination.load_model_file(path)",
     "forecast with it by rnnforecast predict, or give --init a single network's model file"),
    ("warm_start=True", "--init"),
    (" or None", " or leave the option out"),
)


def cli_flags() -> dict[str, str]:
    """Every option of the command line, Python name -> flag (``output_format`` ->
    ``--format``), plus ``warm_start`` -> ``--init``; empty when the app is not loaded (the
    library used from Python)."""
    cli = sys.modules.get("rnnforecast.cli.application")
    if cli is None:
        return {}
    import typer.main

    flags: dict[str, str] = {"warm_start": "--init"}

    def walk(command: Any) -> None:
        for param in command.params:
            long = [o for o in getattr(param, "opts", []) if o.startswith("--")]
            if long and param.name:
                flags.setdefault(param.name, long[0])
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(cli.app))
    return flags


def cli_language(message: str, flags: Mapping[str, str] | None = None) -> str:
    """A library message in the command line's words: ``resume=True`` -> ``--resume``,
    ``strategy='recursive'`` -> ``--strategy recursive``, ``levels=[80, 95]`` -> ``--levels
    80,95``. Only names that are flags of this command line change, so that the Python API
    keeps its keywords and the CLI user reads flags, from the one message."""
    flags = cli_flags() if flags is None else flags
    if not flags:
        return message
    for api, cli in _SPECIAL:
        message = message.replace(api, cli)

    def flag_for(name: str) -> str | None:
        if name.startswith("--"):
            return name if name in flags.values() else None
        return flags.get(name)

    def translate(m: re.Match[str]) -> str:
        flag = flag_for(m["name"])
        if flag is None:
            return m[0]
        value = m["value"]
        if value == "True" or value == "":
            text = flag
        elif value == "False":
            text = f"without {flag}"
        elif value.startswith("["):
            text = f"{flag} " + ",".join(v.strip(" '\"") for v in value[1:-1].split(","))
        elif value.startswith("<"):
            text = f"{flag} {value[1:-1].upper()}"
        else:
            plain = "none" if value == "None" else value.replace("'", "")
            text = f"{flag} {plain}"
        alt = m["alt"] or ""
        other = m["paren"] or m["slash"] or ""
        return text if other.split(" ")[0] == flag else text + alt

    message = _KEYWORD.sub(translate, message)
    return _BARE.sub(lambda m: flags.get(m[0], m[0]), message)
