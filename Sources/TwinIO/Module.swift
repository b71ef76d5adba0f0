// TwinIO module: see docs/architecture.md.
