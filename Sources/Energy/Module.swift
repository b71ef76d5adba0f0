// Energy module: see docs/architecture.md.
