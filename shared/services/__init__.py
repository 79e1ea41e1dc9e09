"""Use cases that take ports as arguments."""
