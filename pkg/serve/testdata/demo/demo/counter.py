"""Imported lazily by the count view only (the reload test edits it)."""
STEP = 1
