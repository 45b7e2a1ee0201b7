"""The pure learning models: knowledge tracing and ranking. No database, no Flask."""
