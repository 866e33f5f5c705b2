"""The package version (one place; read by the build, the CLI and every result's provenance)."""

__version__ = "0.1.0"
