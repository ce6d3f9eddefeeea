import ast
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "src" / "fairinspect" / "rules"
FORBIDDEN = (
    "django",
    "fairinspect.registry",
    "fairinspect.visits",
    "fairinspect.cases",
    "fairinspect.planning",
    "fairinspect.catalog",
    "fairinspect.core",
    "fairinspect.supervision",
    "fairinspect.portal",
    "fairinspect.monitoring",
)


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", sorted(RULES.glob("*.py")), ids=lambda p: p.name)
def test_rules_modules_import_nothing_from_django_or_the_apps(path):
    bad = [m for m in imported_modules(path) if m.startswith(FORBIDDEN)]
    assert bad == [], f"{path.name} imports {bad}; rules/ must stay pure"
