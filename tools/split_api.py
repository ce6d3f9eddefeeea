"""Mechanical split of an app's api.py into an api/ package by its `# ----` section markers.

Issue 8, item 11: the API modules of visits, planning and supervision grew past ~600 lines.
The split rewrites no code. The preamble (the imports, the `router`, the bearers, the schemas
and helpers every section shares) moves to `api/_common.py`; each section moves to its own
module with the preamble's imports (relative imports made one level deeper), the names it
uses from `_common` or a sibling imported from there; `api/__init__.py` imports the modules
in the file's order (so the operations register on the one shared `router` in the order they
did, and the OpenAPI document is unchanged) and re-exports every name, so `config/api.py`
(`from fairinspect.<app>.api import router`) and `from .api import Refusal, router` keep
working. Operation ids keep the app's `api` module name (config/api.py's
`FairinspectAPI.get_openapi_operation_id`).

A section marker is a comment line at the top level naming the module and its title:

    # ---- checkin: check-in and check-out ------------------------------------------------

The module name is a Python identifier; a marker without one stops the tool naming its line.
Everything from a marker to the next one (or the end) is that module. Keep shared schemas and
helpers above the first marker: a section that uses a name defined in a later section stops
the tool (importing it would register the later section's operations first, or import in a
circle); move the shared name above the first marker, into `_common`.

Usage (from the repository root). After merging other branches' edits to the single
`api.py` files (take their `api.py`, drop the `api/` package a merge brought in), re-run:

    /work/main/.venv/bin/python tools/split_api.py src/fairinspect/visits \
        src/fairinspect/planning src/fairinspect/supervision
    /work/main/.venv/bin/ruff check --fix src/fairinspect/{visits,planning,supervision}/api/
    /work/main/.venv/bin/ruff format src/fairinspect/{visits,planning,supervision}/api/

then dump the OpenAPI document before and after and diff them (they must be identical):

    /work/main/.venv/bin/python manage.py shell --no-imports -c "import json; \
        from fairinspect.config.api import api; \
        print(json.dumps(api.get_openapi_schema(), sort_keys=True))" > before.json
    (split, then the same into after.json)
    cmp before.json after.json

`--check` only reports the modules the split would write (their line counts) and changes
nothing. The tool runs ruff itself when it finds it next to the Python running the tool.
"""

from __future__ import annotations

import ast
import re
import subprocess
import symtable
import sys
from pathlib import Path

MARKER = re.compile(r"^# -{2,}\s*(?P<rest>.*?)\s*-*\s*$")
NAMED = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*):\s*(?P<title>.+?)$")


class SplitError(Exception):
    pass


def _seg(node: ast.stmt) -> tuple[int, int]:
    start = node.lineno - 1
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        start = min(d.lineno - 1 for d in decorators)
    return start, node.end_lineno or node.lineno


def _deeper(s: str) -> str:
    """Relative imports one package level deeper (`from .models` -> `from ..models`)."""
    return re.sub(r"^(\s*)from \.", r"\1from ..", s, flags=re.M)


def _defined(code: str) -> set[str]:
    """The names the code defines at its top level (dunders such as `__all__` stay where
    they are and are neither imported nor re-exported)."""
    out: set[str] = set()
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out.add(t.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.add(node.target.id)
    return {n for n in out if not (n.startswith("__") and n.endswith("__"))}


def _used(code: str) -> set[str]:
    """The global names the code reads: at its top level, and free in its functions and
    classes (a local variable or a class field of the same name as another section's
    function is not a use of it). The section's text has no `from __future__ import
    annotations`, so annotations count, as ninja resolves them."""
    out: set[str] = set()

    def walk(table: symtable.SymbolTable, top: bool) -> None:
        for sym in table.get_symbols():
            if sym.is_referenced() and (top or sym.is_global()):
                out.add(sym.get_name())
        for child in table.get_children():
            walk(child, False)

    walk(symtable.symtable(code, "<section>", "exec"), True)
    return out


def _sections(lines: list[str], tree: ast.Module, path: Path) -> list[tuple[str, str, int]]:
    """(module name, title, line index) of each marker at the top level, in file order."""
    inside = set()
    for n in tree.body:
        s, e = _seg(n)
        inside.update(range(s + 1, e))
    out = []
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if not m or i in inside:
            continue
        named = NAMED.match(m.group("rest"))
        if not named:
            raise SplitError(
                f"{path}:{i + 1}: a section marker must name its module: "
                f"'# ---- <module>: <title> ----', found {line.strip()!r}"
            )
        out.append((named.group("name"), named.group("title").strip(), i))
    if not out:
        raise SplitError(f"{path}: no '# ---- <module>: <title>' section markers")
    names = [n for n, _, _ in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup or "_common" in names or "__init__" in names:
        raise SplitError(f"{path}: module names must be unique and not _common: {names}")
    return out


def plan_split(app: Path) -> dict[str, tuple[str, str]]:
    """The modules of app/api/ as {name: (docstring, code)}; `__init__` included."""
    src_path = app / "api.py"
    if not src_path.exists():
        raise SplitError(f"{src_path} does not exist (already split?)")
    text = src_path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    sections = _sections(lines, tree, src_path)
    first = sections[0][2]

    doc = ast.get_docstring(tree)
    imports = []
    future = ""
    keep = list(lines[:first])  # the preamble without its docstring and imports: _common
    for node in tree.body:
        start, end = _seg(node)
        if start >= first:
            break
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            future = "from __future__ import annotations\n\n"
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(node)
        elif not (node is tree.body[0] and isinstance(node, ast.Expr)):
            continue  # shared code: stays in _common
        keep[start:end] = [""] * (end - start)
    header = _deeper("".join("".join(lines[slice(*_seg(n))]) for n in imports))
    common_body = "".join(keep).strip("\n") + "\n"

    bodies: dict[str, tuple[str, str]] = {}
    if common_body.strip():
        bodies["_common"] = (
            "The router, bearers, schemas and helpers every section shares.",
            common_body,
        )
    for k, (name, title, start) in enumerate(sections):
        end = sections[k + 1][2] if k + 1 < len(sections) else len(lines)
        bodies[name] = (
            title[:1].upper() + title[1:].rstrip(".") + ".",
            "".join(lines[start + 1 : end]),
        )

    order = list(bodies)
    defs = {m: _defined(body) for m, (_, body) in bodies.items()}
    owner: dict[str, str] = {}
    for m in order:
        for n in defs[m]:
            if n in owner:
                raise SplitError(f"{src_path}: {n} is defined in both {owner[n]} and {m}")
            owner[n] = m

    modules: dict[str, tuple[str, str]] = {}
    needs: dict[str, set[str]] = {}
    for m, (title, body) in bodies.items():
        body = _deeper(body)
        need = _used(body) - defs[m]
        wanted: dict[str, list[str]] = {}
        for n in sorted(need):
            if n in owner:
                wanted.setdefault(owner[n], []).append(n)
        needs[m] = set(wanted)
        for other in wanted:
            if order.index(other) > order.index(m):
                raise SplitError(
                    f"{src_path}: section {m} uses {', '.join(wanted[other])}, defined in the "
                    f"later section {other}; move it above the first marker (into _common)"
                )
        sibling = "".join(
            f"from .{other} import {', '.join(wanted[other])}\n"
            for other in order
            if other in wanted
        )
        code = f'"""{title}"""\n\n{future}{header}{sibling}\n\n{body.lstrip(chr(10))}'
        modules[m] = (title, code)

    init = [
        f'"""{doc}\n\nSplit into the modules of this package by tools/split_api.py; the modules\n'
        'register on the one router in this file\'s order and every name is re-exported here."""\n\n'
        if doc
        else '"""The API, split by tools/split_api.py; every name is re-exported here."""\n\n'
    ]
    for m in order:
        if defs[m]:
            init.append(f"from .{m} import (  # noqa: F401\n")
            init.extend(f"    {n},\n" for n in sorted(defs[m]))
            init.append(")\n")
        else:
            init.append(f"from . import {m}  # noqa: F401\n")
    modules["__init__"] = ("", "".join(init))
    return modules


def write_split(app: Path, modules: dict[str, tuple[str, str]]) -> None:
    pkg = app / "api"
    if pkg.exists():
        raise SplitError(f"{pkg} already exists")
    pkg.mkdir()
    for m, (_, code) in modules.items():
        (pkg / f"{m}.py").write_text(code, encoding="utf-8")
    (app / "api.py").unlink()


def _ruff(paths: list[Path]) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        print("ruff not found next to the Python: run ruff check --fix and ruff format yourself")
        return
    targets = [str(p / "api") for p in paths]
    subprocess.run([str(ruff), "check", "--fix", "--quiet", *targets], check=False)
    subprocess.run([str(ruff), "format", "--quiet", *targets], check=True)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    apps = [Path(a) for a in argv if a != "--check"]
    if not apps:
        print(__doc__)
        return 2
    try:
        plans = {app: plan_split(app) for app in apps}  # every file checked before any write
        for app, modules in plans.items():
            sizes = {m: code.count("\n") for m, (_, code) in modules.items()}
            print(app, sizes)
            if not check:
                write_split(app, modules)
    except SplitError as exc:
        print(f"split_api: {exc}", file=sys.stderr)
        return 1
    if not check:
        _ruff(apps)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
