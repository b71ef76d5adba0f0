// SimKernel module: see docs/architecture.md.
