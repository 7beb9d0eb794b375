"""Performance benchmark: the project's model against Rasa's default setup
(`make bench`, docs/performance.md)."""
