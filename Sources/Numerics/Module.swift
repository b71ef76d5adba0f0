// Numerics module: see docs/architecture.md.
