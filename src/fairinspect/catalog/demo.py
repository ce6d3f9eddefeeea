from . import guidance
from .services import load_default_list


def build(*, rng, today, enterprises, out) -> None:
    version = load_default_list()
    out.write(f"Inspection-item list {version.number}: {version.items.count()} items.")
    g = guidance.load_default_list()
    out.write(f"Compliance guidance list {g.number}: {g.entries.count()} entries.")
