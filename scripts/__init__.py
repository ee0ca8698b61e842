"""Build and check scripts run from the repository root; a package so that lint-imports finds
scripts.import_contracts (its own contract type) before any other top-level `scripts` on sys.path."""
