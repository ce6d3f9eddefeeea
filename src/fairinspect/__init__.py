"""fairinspect: fair, supervised enterprise inspections for a work-safety regulator."""

__version__ = "0.1.0"
