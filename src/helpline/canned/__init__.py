"""Canned responses with shortcuts and variables."""
