// Mobility module: see docs/architecture.md.
