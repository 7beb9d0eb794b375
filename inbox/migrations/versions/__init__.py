"""Revisions, oldest first (r0001_...)."""
