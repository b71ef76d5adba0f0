// CityTwin module: see docs/architecture.md.
