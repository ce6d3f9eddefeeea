"""The `fairinspect` console command: Django's management commands under one name.

`fairinspect demo`, `fairinspect import-enterprises FILE`, `fairinspect draw-verify ...`
are the management commands of the apps (dashes or underscores both work).
`fairinspect help` lists every command of the project with one line each (and the few
Django commands an operator needs); `fairinspect COMMAND --help` (or `fairinspect help
COMMAND`) explains one; `fairinspect help --all` lists Django's full set.
`fairinspect monitor-score FILE_OR_DIR...` scores the warning engine on labelled series (JSON).
"""

from __future__ import annotations

import os
import sys

# The Django commands a bureau's IT staff run, listed after the project's own.
OPERATOR_COMMANDS = [
    "migrate",
    "createsuperuser",
    "changepassword",
    "db_worker",
    "runserver",
    "collectstatic",
    "check",
]


def _first_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines()]
    return lines[0] if lines else ""


def project_commands() -> dict[str, str]:
    """Every management command of a fairinspect app → its one-line help."""
    from django.core.management import get_commands, load_command_class

    out = {}
    for name, app in sorted(get_commands().items()):
        if app.startswith("fairinspect."):
            out[name] = _first_line(load_command_class(app, name).help)
    return out


def command_list() -> str:
    from django.core.management import get_commands, load_command_class

    own = project_commands()
    django_cmds = get_commands()
    width = max(len(n) for n in [*own, *OPERATOR_COMMANDS]) + 2
    lines = ["Usage: fairinspect COMMAND [options]   (fairinspect COMMAND --help for one)", ""]
    lines.append("fairinspect's commands:")
    for name, text in own.items():
        lines.append(f"  {name.replace('_', '-'):<{width}}{text}")
    lines += ["", "Django commands an operator needs:"]
    for name in OPERATOR_COMMANDS:
        if name in django_cmds:
            text = _first_line(load_command_class(django_cmds[name], name).help)
            lines.append(f"  {name.replace('_', '-'):<{width}}{text}")
    lines += ["", "fairinspect help --all lists every Django command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairinspect.config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "fairinspect"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    args = argv[1:]
    if not args or args in (["help"], ["-h"], ["--help"]):
        import django

        django.setup()
        print(command_list())
        return
    if args == ["help", "--all"]:
        argv = ["fairinspect", "help"]
    elif args[0] == "help" and len(args) == 2:
        argv = ["fairinspect", args[1].replace("-", "_"), "--help"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
