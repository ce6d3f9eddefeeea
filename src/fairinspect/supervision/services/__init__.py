"""Writes of supervision, one module per sub-area: complaints, imports, breaches, reviews, training."""
