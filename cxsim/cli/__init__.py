"""Command-line entry points (Hydra lives here, at the edge)."""
