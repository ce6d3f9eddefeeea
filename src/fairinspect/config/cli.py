"""The `fairinspect` console command: Django's management commands under one name.

`fairinspect demo`, `fairinspect import-enterprises FILE`, `fairinspect draw-verify ...`
are the management commands of the apps (dashes or underscores both work).
`fairinspect monitor-score FILE_OR_DIR...` scores the warning engine on labelled series (JSON).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairinspect.config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "fairinspect"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
