"""Who may import whom: no import cycle between the app's packages.

Every import counts, including those inside functions (a lazy import hides a cycle, it does not
remove it). KNOWN_BACK_EDGES is a ratchet, empty since issue 11: a new cycle fails this test, and
so does a listed edge that is gone. docs/architecture.md gives the intended layers.
"""

import ast
from collections import defaultdict
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

# Imports that point down-up, each closing a cycle, as (importer, imported). Issue 11 removed
# the last of them; an entry here would be a debt to pay, and the test fails once it is paid.
KNOWN_BACK_EDGES: set[tuple[str, str]] = set()


def package_of(module: str) -> str | None:
    """`app.content.services` -> `content`; None for modules outside the app."""
    parts = module.split(".")
    return parts[1] if parts[0] == "app" and len(parts) > 1 else None


def import_graph(root: Path = APP) -> dict[str, dict[str, list[str]]]:
    """importer package -> imported package -> where (file:line), for imports between packages."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative == Path("__init__.py"):
            continue  # the app factory wires every package together: it is above them all
        importer = relative.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                imported = package_of(name)
                if imported is not None and imported != importer:
                    graph[importer][imported].append(f"app/{relative}:{node.lineno}")
    return graph


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_packages_beyond_the_known_ones():
    graph = import_graph()
    edges = {importer: {imported for imported in targets if (importer, imported) not in KNOWN_BACK_EDGES}
             for importer, targets in graph.items()}
    remaining = cycles(edges)
    details = [
        f"{' -> '.join(cycle)}: " + "; ".join(
            f"{a} imports {b} at {graph[a][b][0]}" for a in cycle for b in cycle if b in graph[a]
        )
        for cycle in remaining
    ]
    assert remaining == [], "import cycles between packages:\n" + "\n".join(details)


def test_every_known_back_edge_is_still_there():
    """A back edge that was removed must leave the list, so that it cannot come back unnoticed."""
    graph = import_graph()
    gone = sorted(edge for edge in KNOWN_BACK_EDGES if edge[1] not in graph.get(edge[0], {}))
    assert gone == [], f"remove from KNOWN_BACK_EDGES: {gone}"


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}}) == []
