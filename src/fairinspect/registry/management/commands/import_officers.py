from .import_enterprises import Command as ImportCommand


class Command(ImportCommand):
    kind = "officers"
    help = "Import officers with their certificates from a .csv or .xlsx file (all or none)."
