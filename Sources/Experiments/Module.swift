// Experiments module: sweeps, replications, comparisons and reports. See docs/architecture.md.
