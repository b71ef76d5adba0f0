// Experiments module: see docs/architecture.md.
