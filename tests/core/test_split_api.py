"""Issue 8, item 11: tools/split_api.py splits an api.py into a package mechanically, and the
split changes nothing a client sees (operation ids keep the app's api module name)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "split_api.py"
spec = importlib.util.spec_from_file_location("split_api", TOOL)
split_api = importlib.util.module_from_spec(spec)
spec.loader.exec_module(split_api)

SOURCE = '''"""Toy API."""

from __future__ import annotations

from ninja import Router, Schema

from . import services

router = Router(tags=["toy"])


class Refusal(Schema):
    code: str


# ---- first: the first section ---------------------------------------------------------


class ThingOut(Schema):
    name: str
    follow_up: str = ""  # a field named like the next section's function: not a use of it


def _thing(x) -> dict:
    return {"name": x}


@router.get("/things", response={200: ThingOut, 409: Refusal})
def things(request):
    return _thing(services.one())


# ---- second: the second section --------------------------------------------------------


@router.get("/follow-up", response=ThingOut)
def follow_up(request):
    follow_up = services.one()  # a local of the same name
    return _thing(follow_up)
'''


def _app(tmp_path: Path, text: str) -> Path:
    app = tmp_path / "toy"
    app.mkdir()
    (app / "api.py").write_text(text)
    return app


def test_r13_1_the_split_moves_each_section_and_imports_what_it_uses(tmp_path):
    app = _app(tmp_path, SOURCE)
    modules = split_api.plan_split(app)
    assert list(modules) == ["_common", "first", "second", "__init__"]
    first, second = modules["first"][1], modules["second"][1]
    assert "from .. import services" in first  # relative imports one level deeper
    assert "from ._common import Refusal, router" in first
    assert "from .first import ThingOut, _thing" in second
    assert "from .second" not in first
    init = modules["__init__"][1]
    assert init.index("from ._common") < init.index("from .first") < init.index("from .second")
    split_api.write_split(app, modules)
    assert not (app / "api.py").exists()
    assert sorted(p.name for p in (app / "api").iterdir()) == [
        "__init__.py",
        "_common.py",
        "first.py",
        "second.py",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s.replace("# ---- first: the first section", "# ---- the first section"),
            "name",
        ),
        (lambda s: s.replace("second: the second", "first: the second"), "unique"),
        (
            lambda s: (
                s.replace("return _thing(services.one())", "return later()")
                + "\n\ndef later():\n    return {}\n"
            ),
            "later section",
        ),
    ],
)
def test_r13_1_the_split_refuses_what_it_cannot_do_mechanically(tmp_path, change, message):
    app = _app(tmp_path, change(SOURCE))
    with pytest.raises(split_api.SplitError, match=message):
        split_api.plan_split(app)
    assert (app / "api.py").exists()


def test_r13_1_operation_ids_keep_the_app_api_module_name_after_the_split(client):
    doc = client.get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert "fairinspect_visits_api_check_in" in ids
    assert "fairinspect_planning_api_create_plan" in ids
    assert "fairinspect_supervision_api_file_complaint" in ids
    assert not [i for i in ids if i.startswith("fairinspect_visits_api_checkin_")]
