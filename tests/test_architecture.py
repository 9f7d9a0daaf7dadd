"""The house's shape: no import cycles, each rule stated in one place, surfaces without SQL."""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "stature"

# Cycles whose fix is under way on other branches; each entry goes once its fix has landed.
BEING_FIXED: list[set[str]] = []


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (at the top or inside a function)."""
    modules = _modules()
    graph = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(max(node.level - 1, 0)):
                    base = base.rpartition(".")[0]
                target = (base + ("." + node.module if node.module else "")) if node.level else (node.module or "")
                subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
                targets = subs + ([target] if len(subs) < len(node.names) else [])
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycles_are_found_when_there_are_some():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_the_package_has_no_import_cycles():
    found = [c for c in cycles(import_graph()) if c not in BEING_FIXED]
    assert not found, f"import cycles: {found}"


def _sources(exempt=()) -> dict[str, str]:
    return {str(p.relative_to(PACKAGE)): p.read_text() for p in PACKAGE.rglob("*.py")
            if str(p.relative_to(PACKAGE)) not in exempt}


def _where(pattern: str, exempt=()) -> list[str]:
    regex = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    return sorted(name for name, text in _sources(exempt).items() if regex.search(text))


def test_the_exclusion_list_is_read_only_through_its_rule():
    # consent.py keeps the list (exclude, include, list it); everyone else reads it through the rule
    assert _where(r"(FROM|JOIN)\s+exclusions\b") == ["analytics/consent.py", "rules/exclusions.py"]


def test_decay_is_written_once():
    assert _where(r"pow(er)?\(\s*0\.5|0\.5\s*\*\*") == ["rules/decay.py"]
    assert _where(r"half_life\w*\s*=\s*\d|window_days\s*/\s*2") == ["rules/decay.py"]


def test_interaction_weights_are_stated_once():
    assert _where(r"^\s*(KIND|REACTION)_WEIGHTS\s*(:[^=\n]*)?=\s*\{", ) == ["rules/interactions.py"]


def test_the_default_account_and_topic_presence_are_read_once():
    assert _where(r"author_id\s+FROM\s+posts\s+LIMIT") == ["read/accounts.py"]
    assert _where(r"count\(\*\)\s+FROM\s+topic_runs") == ["read/topics.py"]


def test_views_goals_and_exports_hold_no_sql():
    surfaces = ["views.py", "exports.py", "goals/check.py", "goals/audience.py", "goals/explain.py",
                "goals/goalfile.py"]
    texts = _sources()
    # writing a table already read out to a file (COPY ... TO) is not a query of the workspace
    texts = {name: re.sub(r"COPY \(SELECT [^)]* FROM _stature_export\)", "COPY", text) for name, text in texts.items()}
    holding = [s for s in surfaces if re.search(r"\bSELECT\b|\.sql\(", texts[s])]
    assert not holding, holding


def test_exports_do_not_reach_into_the_report():
    assert "report" not in "".join(import_graph()["stature.exports"])


SURFACES = ("stature.views", "stature.report", "stature.web", "stature.cli", "stature.exports")
LIBRARY = ("stature.analytics", "stature.topics", "stature.goals", "stature.read", "stature.rules", "stature.graph",
           "stature.workspace", "stature.importers", "stature.generate", "stature.collect")


def test_no_library_room_imports_a_surface():
    found = [(m, t) for m, targets in import_graph().items() if m.startswith(LIBRARY)
             for t in targets if t.startswith(SURFACES)]
    assert not found, found


def test_the_rules_use_nothing_else_of_the_package():
    found = [(m, t) for m, targets in import_graph().items() if m.startswith("stature.rules")
             for t in targets if not t.startswith("stature.rules")]
    assert not found, found
