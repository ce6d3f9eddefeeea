"""Issue 14: `fairinspect help` lists every command with one line each, and every command
answers --help."""

from __future__ import annotations

import pytest

from fairinspect.config import cli


def test_fairinspect_help_lists_every_project_command_with_its_one_line(capsys):
    cli.main(["fairinspect", "help"])
    out = capsys.readouterr().out
    own = cli.project_commands()
    assert {"demo", "import_enterprises", "import_officers", "draw_verify"} <= set(own)
    for name, line in own.items():
        assert line, f"{name} has no help text"
        rows = [r for r in out.splitlines() if r.split()[:1] == [name.replace("_", "-")]]
        assert len(rows) == 1 and line in rows[0], name
    assert "migrate" in out and "createsuperuser" in out


@pytest.mark.parametrize("name", sorted(cli.project_commands()) + cli.OPERATOR_COMMANDS)
def test_every_command_answers_help_with_its_usage(capsys, name):
    with pytest.raises(SystemExit) as exc:
        cli.main(["fairinspect", name.replace("_", "-"), "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: fairinspect {name}")


def test_help_with_a_command_name_is_that_commands_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["fairinspect", "help", "import-enterprises"])
    assert "usage: fairinspect import_enterprises" in capsys.readouterr().out
