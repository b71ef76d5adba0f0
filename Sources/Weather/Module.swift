// Weather module: see docs/architecture.md.
