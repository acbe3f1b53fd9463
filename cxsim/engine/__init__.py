"""The engine: random streams, population state, one cycle's step, the Mesa model, records."""
