"""The layering in docs/architecture.md, checked: a package imports only packages below it.

Every import in cop/ counts, a lazy one inside a function too (it is the same dependency, only
hidden). A new package must be given its place in LAYERS, which is the written architecture.
"""
import ast
from pathlib import Path

COP = Path(__file__).resolve().parent.parent / "cop"

# From the bottom up. A package may import the packages of lower layers, never its own layer's
# others (they are independent) or a higher one's. Higher packages reach lower ones' pages and
# mails through signals and registries (see docs/architecture.md).
LAYERS = [
    {"text", "clock", "tokens", "csv_safety", "links", "logs", "mixing"},  # primitives: no cop imports
    {"extensions", "forms_common"},
    {"ical"},
    {"people"},
    {"mail"},
    {"jobs"},
    {"communities"},
    {"accounts"},
    {"events"},
    {"invitations"},
    {"door", "exchange", "seating"},
    {"calendars", "feedback", "registration"},
    {"challenges", "materials", "polls", "programme"},
    {"reports"},
    {"privacy"},
    {"site", "demo"},
    {"cli"},
    {"app"},
    {"__init__"},
]
LAYER_OF = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


def _package_of(path: Path) -> str:
    parts = path.relative_to(COP).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _imported_packages(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if node.module != "cop" else [f"cop.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("cop."):
                yield node.lineno, name.split(".")[1]


def _dependencies() -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(COP.rglob("*.py")):
        package = _package_of(path)
        found.setdefault(package, set())
        for line, imported in _imported_packages(ast.parse(path.read_text(), str(path))):
            if imported != package:
                found[package].add((imported, f"{path.relative_to(COP.parent)}:{line}"))
    return found


def test_every_package_has_its_place_in_the_layers():
    unplaced = sorted(set(_dependencies()) - set(LAYER_OF))
    assert not unplaced, f"give these packages a layer in LAYERS and docs/architecture.md: {unplaced}"


def test_no_package_imports_one_above_it_or_beside_it():
    wrong = [
        f"{where}: {package} (layer {LAYER_OF[package]}) imports {imported} (layer {LAYER_OF.get(imported)})"
        for package, imports in _dependencies().items() if package in LAYER_OF
        for imported, where in sorted(imports)
        if LAYER_OF.get(imported, len(LAYERS)) >= LAYER_OF[package]
    ]
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_there_is_no_import_cycle_between_packages():
    graph = {package: {imported for imported, _ in imports} for package, imports in _dependencies().items()}
    state: dict[str, str] = {}

    def visit(package: str, path: list[str]) -> list[str] | None:
        if state.get(package) == "done":
            return None
        if state.get(package) == "open":
            return path[path.index(package):] + [package]
        state[package] = "open"
        for imported in sorted(graph.get(package, ())):
            if cycle := visit(imported, path + [package]):
                return cycle
        state[package] = "done"
        return None

    for package in sorted(graph):
        cycle = visit(package, [])
        assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_mixing_engine_imports_no_flask_and_no_database():
    for path in (COP / "mixing").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in {"flask", "flask_sqlalchemy", "sqlalchemy", "cop"} or \
                    name.startswith("cop.mixing"), f"{path}: imports {name}"
