"""The hash-chained audit trail every app writes to (R8.5). See trail.py."""
