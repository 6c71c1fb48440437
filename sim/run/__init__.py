"""Running replications: seeds, the worker pool, progress, and the tidy tables of finished models (docs/layers.md)."""
