"""Tools for content authors: scaffold a topic, check the content."""
