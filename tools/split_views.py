"""Mechanical split of an app's views.py into a views/ package by its `# ----` sections.

Used once (issue 8, item 11) to split visits, cases and planning views; kept so the split
can be re-run after edits to the single-file views.py are merged: no code is rewritten,
each section moves to its own module with the original imports (made one level deeper),
names used from a sibling module are imported from it, and views/__init__.py re-exports
every name so urls.py and `from .views import …` keep working. Then `ruff check --fix`
drops the unused imports and `ruff format` formats.

usage: python tools/split_views.py <app dir> name1 name2 ...   (one module per section)

    python tools/split_views.py src/fairinspect/visits qr_card ratings arrange visit_page \
        attachment downloads
    python tools/split_views.py src/fairinspect/cases catalogue discretion case_pages \
        disclosure party accidents
    python tools/split_views.py src/fairinspect/planning conflict_pages plan_pages \
        draw_pages special_pages joint_pages public_pages
    ruff check --fix src/fairinspect/*/views/ && ruff format src/fairinspect/*/views/
"""

import ast
import re
import sys
from pathlib import Path

app = Path(sys.argv[1])
names = sys.argv[2:]
src_path = app / "views.py"
text = src_path.read_text()
lines = text.splitlines(keepends=True)
tree = ast.parse(text)

section_starts = [i for i, line in enumerate(lines) if re.match(r"^# -{2,}", line)]
assert len(section_starts) == len(names), (len(section_starts), names)

doc = ast.get_docstring(tree)
# Header: every top-level import of the preamble.
preamble_end = section_starts[0]
imports, body_nodes = [], []
for node in tree.body:
    if node.lineno - 1 >= preamble_end:
        break
    if isinstance(node, ast.Import | ast.ImportFrom):
        imports.append(node)
    elif (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node is tree.body[0]
    ):
        continue
    else:
        body_nodes.append(node)


def seg(node):
    start = node.lineno - 1
    if getattr(node, "decorator_list", None):
        start = min(d.lineno - 1 for d in node.decorator_list)
    return start, node.end_lineno


header = "".join("".join(lines[seg(n)[0] : seg(n)[1]]) for n in imports)


def deeper(s: str) -> str:
    return re.sub(r"^(\s*)from \.", r"\1from ..", s, flags=re.M)


header = deeper(header)
common_body = ""
if body_nodes:
    start = seg(body_nodes[0])[0]
    common_body = "".join(lines[start:preamble_end])

modules = {}
if common_body.strip():
    modules["_common"] = ("Helpers the page modules share.", common_body)
for k, start in enumerate(section_starts):
    end = section_starts[k + 1] if k + 1 < len(section_starts) else len(lines)
    title = re.sub(r"^#\s*-+\s*", "", lines[start]).strip().strip("-").strip()
    modules[names[k]] = (title[:1].upper() + title[1:] + ".", "".join(lines[start + 1 : end]))


def defined(code: str) -> set[str]:
    out = set()
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out.add(t.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.add(node.target.id)
    return out


def used(code: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}


defs = {m: defined(body) for m, (_, body) in modules.items()}
pkg = app / "views"
pkg.mkdir()
for m, (title, body) in modules.items():
    body = deeper(body)
    need = used(body) - defs[m]
    sibling = []
    for other, names_other in defs.items():
        if other == m:
            continue
        wanted = sorted(need & names_other)
        if wanted:
            sibling.append(f"from .{other} import {', '.join(wanted)}\n")
    code = f'"""{title}"""\n\n' + header + "".join(sibling) + "\n\n" + body.lstrip("\n")
    (pkg / f"{m}.py").write_text(code)

init = [
    f'"""{doc}\n\nSplit by sub-area into the modules of this package; urls.py and other apps import\nthe views from here."""\n\n'
    if doc
    else '"""The views, split by sub-area; urls.py imports them from here."""\n\n'
]
for m in modules:
    if defs[m]:
        init.append(f"from .{m} import (  # noqa: F401\n")
        init.extend(f"    {n},\n" for n in sorted(defs[m]))
        init.append(")\n")
(pkg / "__init__.py").write_text("".join(init))
src_path.unlink()
print({m: len(b.splitlines()) for m, (_, b) in modules.items()})
