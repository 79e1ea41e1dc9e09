"""Data files of the domain layer (alias dictionary, intent words), loaded as package data."""
