"""Dependency audit: pip-audit report checks and the reviewed ignore list."""
