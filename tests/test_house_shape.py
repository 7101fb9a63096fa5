"""The house keeps its shape: no import cycles among the project's modules (imports inside
functions count: they only postpone the cycle), and no module past 400 lines."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Folders that are not the platform's code, or whose size is not a design choice.
OUTSIDE = {"migrations", "tests", "bench", "node_modules", "static", "var", "docs", "locale"}
# Modules that are data, not logic: their length is the data's.
DATA_TABLES = {"incidents/taxonomy_default.py"}
MOST_LINES = 400


def project_modules() -> dict[str, Path]:
    """Dotted module name → file, for every Python module of the platform."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if any(part in OUTSIDE or part.startswith(".") for part in relative.parts[:-1]):
            continue
        name = ".".join(relative.with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def imported(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``module`` imports, anywhere in it."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    found = set()
    for name in names:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)
    return found


def test_no_module_imports_itself_through_others():
    modules = project_modules()
    graph = {module: imported(module, path, modules) for module, path in modules.items()}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        cycle = error.args[1]
        raise AssertionError(f"import cycle: {' -> '.join(reversed(cycle))}") from None


def test_no_module_is_longer_than_400_lines():
    too_long = {}
    for path in project_modules().values():
        relative = path.relative_to(ROOT).as_posix()
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MOST_LINES and relative not in DATA_TABLES:
            too_long[relative] = lines
    assert not too_long, f"modules over {MOST_LINES} lines: {too_long}"
