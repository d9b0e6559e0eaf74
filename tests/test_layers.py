"""The package's structure, checked from the source: every import points to the same or a
lower layer, no import cycle, no module imports the top-level package, and the size limits.

Imports are read from the AST of every module: at the top, inside functions and under
``if TYPE_CHECKING:`` alike (a type-only or deferred import is still a dependency). The
layers, lowest first (docs/architecture.md draws them):

- leaves: errors, metrics, io, levels (and _version): nothing of ours but each other
- data: reading, checking, splitting, framing and windowing series
- models: torch modules only
- training: the loop, checkpoints, devices, data-parallel training (a Shard)
- baselines: naive, seasonal naive, statsforecast models...
- forecaster: the Forecaster (``intervals``: the documented interval names it gathers;
  ``rnnforecast/__init__``, which re-exports the Forecaster)
- combination: the network combined with classical models (``lstm_ets_theta``)
- evaluation: protocols over any models, the Dask runner
- plotting: matplotlib figures of forecasts, training and explanations
- explain: gradient flow, comparisons, the report
- cli: the command line (and ``__main__``)
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE = "rnnforecast"
SRC = Path(__file__).resolve().parents[1] / "src"

#: layer of each top-level name under rnnforecast, lowest first
LAYERS: list[tuple[str, ...]] = [
    ("_version", "errors", "metrics", "io", "levels"),
    ("data",),
    ("models",),
    ("training",),
    ("baselines",),
    ("forecaster", "intervals", ""),  # "": the package itself (rnnforecast/__init__.py)
    ("combination",),
    ("evaluation",),
    ("plotting",),
    ("explain",),
    ("cli", "__main__"),
]
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}

MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300
MAX_FUNCTION_LINES = 80


# ----------------------------------------------------------------------- reading


def package_sources(root: Path = SRC) -> dict[str, str]:
    """Module name -> source of every module of the package."""
    out = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path.read_text(encoding="utf-8")
    return out


def is_package(name: str, sources: Mapping[str, str]) -> bool:
    return any(other.startswith(name + ".") for other in sources)


def imported_modules(name: str, source: str, sources: Mapping[str, str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its source (top level,
    functions, ``TYPE_CHECKING`` blocks). ``from a.b import c`` depends on ``a.b`` and, when
    ``c`` is a module, on ``a.b.c``; a name that is not a module resolves to the closest
    module above it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package(name, sources) else name.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join([*here, base] if base else here)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            while target and target not in sources:
                target = target.rpartition(".")[0]
            if target.split(".")[0] == PACKAGE:
                found.add(target)
    found.discard(name)
    return found


def import_graph(sources: Mapping[str, str]) -> dict[str, set[str]]:
    return {name: imported_modules(name, src, sources) for name, src in sources.items()}


# ----------------------------------------------------------------------- checking


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYER_OF.get(parts[1] if len(parts) > 1 else "")


def layer_violations(sources: Mapping[str, str]) -> list[str]:
    """One line per module without a layer and per import that points to a higher layer."""
    problems = []
    for module, deps in sorted(import_graph(sources).items()):
        own = layer(module)
        if own is None:
            problems.append(f"{module}: in no layer (add it to LAYERS)")
            continue
        for dep in sorted(deps):
            theirs = layer(dep)
            if theirs is not None and theirs > own:
                problems.append(f"{module} (layer {LAYERS[own][0]}) imports {dep} "
                                f"(layer {LAYERS[theirs][0]}, higher)")
    return problems


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def top_level_imports(sources: Mapping[str, str]) -> list[str]:
    """Modules that import the package itself (``from rnnforecast import X``): that runs
    ``rnnforecast/__init__`` and ties the module to everything it re-exports."""
    return [f"{module} imports {PACKAGE}" for module, deps in
            sorted(import_graph(sources).items()) if module != PACKAGE and PACKAGE in deps]


def oversized(sources: Mapping[str, str]) -> list[str]:
    out = []
    for module, source in sorted(sources.items()):
        n = len(source.splitlines())
        if n > MAX_MODULE_LINES:
            out.append(f"module {module}: {n} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                limit, kind = MAX_CLASS_LINES, "class"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                limit, kind = MAX_FUNCTION_LINES, "function"
            else:
                continue
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            if size > limit:
                out.append(f"{kind} {module}.{node.name}: {size} lines (at most {limit})")
    return out


# -------------------------------------------------------------------------- tests


def test_every_import_points_to_the_same_or_a_lower_layer() -> None:
    assert layer_violations(package_sources()) == []


def test_no_import_cycle_among_modules() -> None:
    assert cycles(import_graph(package_sources())) == []


def test_no_module_imports_the_top_level_package() -> None:
    assert top_level_imports(package_sources()) == []


def test_modules_classes_and_functions_within_the_size_limits() -> None:
    assert oversized(package_sources()) == []


def test_the_check_fails_on_a_wrong_way_import() -> None:
    sources = dict(package_sources())
    sources["rnnforecast.data.wrong"] = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from rnnforecast.forecaster import Forecaster\n"
        "def run() -> None:\n"
        "    from rnnforecast.evaluation import run_protocol\n"
    )
    found = [p for p in layer_violations(sources) if p.startswith("rnnforecast.data.wrong")]
    assert any("imports rnnforecast.evaluation " in p for p in found)  # inside a function
    assert any("imports rnnforecast.forecaster " in p for p in found)  # type-only
    sources["rnnforecast.baselines.relative"] = "from ..cli import app\n"
    assert any(p.startswith("rnnforecast.baselines.relative (layer baselines) imports "
                            "rnnforecast.cli ") for p in layer_violations(sources))


def test_the_check_finds_a_cycle_and_a_top_level_import() -> None:
    sources = {
        "rnnforecast": "from rnnforecast.errors import DataError\n",
        "rnnforecast.errors": "",
        "rnnforecast.data": "",
        "rnnforecast.data.a": "def f():\n    from rnnforecast.data.b import g\n",
        "rnnforecast.data.b": "from rnnforecast.data import a\nfrom rnnforecast import DataError\n",
    }
    assert cycles(import_graph(sources)) == [["rnnforecast.data.a", "rnnforecast.data.b"]]
    assert top_level_imports(sources) == ["rnnforecast.data.b imports rnnforecast"]
    assert layer_violations(sources) == [
        "rnnforecast.data.b (layer data) imports rnnforecast (layer forecaster, higher)"]


def test_the_size_check_counts_lines() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    found = oversized({"rnnforecast.data.long": f"def long() -> None:\n{body}"})
    assert found == [f"function rnnforecast.data.long.long: {MAX_FUNCTION_LINES + 1} lines "
                     f"(at most {MAX_FUNCTION_LINES})"]
