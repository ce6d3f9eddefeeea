"""The functional core: pure functions over frozen dataclasses.

Nothing in this package imports Django or touches the database; everything that varies
(today, the policy table, a seed) is passed in. tests/rules/test_purity.py enforces it.
"""
