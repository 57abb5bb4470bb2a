"""Imports follow the layers: the Dagster domains import only domains before them, and the
library never imports the Dagster code location or Dagster.

Read from the source with `ast` (every import, also inside functions), so nothing is loaded."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from dbt_support import ROOT

# pipelines/defs/<domain>/, in data order: a domain imports only domains before it.
DOMAINS = ("ingest", "warehouse", "quality", "briefs", "operations")
# pipelines/defs/<module>.py that every domain may import; they import no domain themselves.
SHARED = ("jobs", "as_of", "resources", "steps")
# The library's boundary with Dagster, imported lazily inside a function (never when the
# library is imported): `salespulse run` starts the runner, the daemon check reads the instance.
LIBRARY_BOUNDARY = {
    ("salespulse.cli", "pipelines.runner"),
    ("salespulse.instance", "dagster"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, at module level?) for every import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            # `from pipelines.defs import jobs` imports the module pipelines.defs.jobs
            names = [f"{base}.{alias.name}" for alias in node.names] if base else []
            names = names if node.module is None else [base, *names]
        else:
            continue
        found += [(name, id(node) in top_level) for name in names]
    return found


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def unit(module: str) -> str | None:
    """The domain or shared module of pipelines.defs a module belongs to (None: outside defs)."""
    parts = module.split(".")
    if parts[:2] != ["pipelines", "defs"] or len(parts) < 3:
        return None
    return parts[2]


def rank(unit_name: str) -> int:
    if unit_name in SHARED:
        return 0
    assert unit_name in DOMAINS, f"pipelines/defs/{unit_name}: add it to DOMAINS or SHARED in this test"
    return 1 + DOMAINS.index(unit_name)


def defs_edges() -> set[tuple[str, str, str]]:
    """(importing unit, imported unit, importing module) among pipelines.defs units."""
    edges = set()
    for path in files("pipelines/defs"):
        source = module_name(path)
        here = unit(source)
        if here is None:  # pipelines/defs/__init__.py
            continue
        for name, _ in imports(path):
            there = unit(name)
            if there is not None and there != here:
                edges.add((here, there, source))
    return edges


def test_every_defs_unit_has_a_layer():
    units = {unit(module_name(path)) for path in files("pipelines/defs")} - {None}
    assert units == set(DOMAINS) | set(SHARED)


def test_defs_import_only_earlier_layers():
    edges = defs_edges()
    assert edges, "no imports between units found: the parsing is broken"
    wrong = sorted(
        f"{source} imports pipelines.defs.{there} (layer {rank(there)}; {here} is layer {rank(here)})"
        for here, there, source in edges
        if rank(there) >= rank(here) and not (rank(here) == 0 and rank(there) == 0)
    )
    assert not wrong, "sideways or backward imports:\n" + "\n".join(wrong)


def test_only_the_code_location_imports_definitions():
    wrong = []
    for path in files("pipelines"):
        source = module_name(path)
        for name, _ in imports(path):
            if name.startswith("pipelines.definitions") and source != "pipelines.definitions":
                wrong.append(source)
            # pipelines.runs and the runner are used by the domains and the CLI: they must not
            # reach back into the definitions.
            if (
                unit(source) is None
                and source != "pipelines.definitions"
                and name.startswith("pipelines.defs")
            ):
                wrong.append(f"{source} imports {name}")
    assert not wrong


def test_library_imports_neither_pipelines_nor_dagster():
    wrong = []
    for path in files("salespulse"):
        source = module_name(path)
        for name, top_level in imports(path):
            root = name.split(".")[0]
            if root not in ("pipelines", "dagster") and not root.startswith("dagster_"):
                continue
            allowed = any(
                source == lib and (name == target or name.startswith(target + "."))
                for lib, target in LIBRARY_BOUNDARY
            )
            if not allowed or top_level:
                wrong.append(f"{source} imports {name}" + (" at module level" if top_level else ""))
    assert not wrong, "the library imports the Dagster side:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from pipelines.defs.jobs import daily_run", "pipelines.defs.jobs"),
        ("from pipelines.defs import jobs", "pipelines.defs.jobs"),
        ("import pipelines.defs.briefs.assets", "pipelines.defs.briefs.assets"),
        ("from ..jobs import daily_run", "pipelines.defs.jobs"),
    ],
)
def test_imports_are_parsed(tmp_path, monkeypatch, source, expected):
    """The parser sees absolute, package and relative imports (as if in pipelines/defs/ingest/)."""
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    path = tmp_path / "pipelines" / "defs" / "ingest" / "sensors.py"
    path.parent.mkdir(parents=True)
    path.write_text(source + "\n", encoding="utf-8")
    assert expected in {name for name, _ in imports(path)}


def _environment_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """`os.environ.get("SALESPULSE_…")`, `os.getenv("SALESPULSE_…")` and `os.environ["SALESPULSE_…"]`
    read (not assigned) in a module."""
    found = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            if node.func.attr in ("get", "getenv") and isinstance(node.args[0], ast.Constant):
                name = node.args[0].value
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.slice, ast.Constant)
            and ast.unparse(node.value).endswith("environ")
        ):
            name = node.slice.value
        if isinstance(name, str) and name.startswith("SALESPULSE_"):
            found.append((node.lineno, name))
    return found


# Not this process's settings: another process's environment, read to recognise it.
OTHER_PROCESSES = {("pipelines/runs.py", "SALESPULSE_WAREHOUSE")}  # a dbt build's (psutil)


def test_only_the_settings_read_salespulse_variables():
    """#16 item 5: SALESPULSE_* is read in one place, `salespulse.config.load_settings`; the rest
    of the code takes `Settings` (SMTP, alerts, the Postgres warehouse, the dbt target, the first
    brief period included). Writing them for a dbt subprocess is not reading."""
    readers = {
        f"{path.relative_to(ROOT)}:{line} {name}"
        for folder in ("salespulse", "pipelines")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "salespulse" / "config.py"
        for line, name in _environment_reads(ast.parse(path.read_text(encoding="utf-8")))
        if (str(path.relative_to(ROOT)), name) not in OTHER_PROCESSES
    }
    assert readers == set()


# Where a process starts: the only callers of `get_settings()`. They read the settings once for
# the process and pass them on (the Dagster code location as its `settings` resource and to the
# factories of its sensors, schedules and partitions).
ENTRY_POINTS = {"salespulse/cli.py", "pipelines/definitions.py", "pipelines/runner.py"}


def _settings_fetches(tree: ast.Module) -> list[tuple[int, bool]]:
    """(line, at import?) of every `get_settings()` call in a module. A call runs at import unless
    it is in a function's body (a decorator's arguments and a default value run at import)."""
    in_bodies = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            in_bodies |= {id(inner) for statement in node.body for inner in ast.walk(statement)}
        elif isinstance(node, ast.Lambda):
            in_bodies |= {id(inner) for inner in ast.walk(node.body)}
    return [
        (node.lineno, id(node) not in in_bodies)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "get_settings"
    ]


def test_settings_are_passed_not_fetched():
    """#16 item 5: no module reads the settings when imported, and below the entry points code is
    given them (`Settings` arguments, the `settings` resource) instead of fetching them."""
    wrong = []
    for folder in ("salespulse", "pipelines"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            for line, at_import in _settings_fetches(ast.parse(path.read_text(encoding="utf-8"))):
                if at_import:
                    wrong.append(f"{relative}:{line} reads the settings when imported")
                elif relative not in ENTRY_POINTS:
                    wrong.append(f"{relative}:{line} fetches the settings instead of being given them")
    assert wrong == []


def test_settings_fetches_are_found():
    """The parser sees a fetch in a decorator's arguments as run at import, one in a body as not."""
    source = (
        "X = get_settings().home\n"
        "@sensor(interval=config.get_settings().interval)\n"
        "def f(s=get_settings()):\n"
        "    return get_settings()\n"
        "g = lambda: get_settings()\n"
    )
    assert sorted(_settings_fetches(ast.parse(source))) == [
        (1, True),
        (2, True),
        (3, True),
        (4, False),
        (5, False),
    ]


def test_test_folders_mirror_the_code():
    """#16 item 7: every test sits in a folder named after the code it tests (tests/salespulse/ingest/
    for salespulse/ingest/, tests/pipelines/, tests/dbt_project/), or in tests/project/ for the
    repository as a whole; tests/ itself holds only the shared fixtures and helpers."""
    tests = ROOT / "tests"
    assert not sorted(path.name for path in tests.glob("test_*.py"))
    folders = {path.parent.relative_to(tests) for path in tests.rglob("test_*.py")}
    assert folders, "no test files found"
    unmatched = sorted(
        str(folder) for folder in folders if folder.parts[0] != "project" and not (ROOT / folder).is_dir()
    )
    assert unmatched == []
