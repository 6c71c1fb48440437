"""The commands a person starts and the explorer page: each parses its input, refuses what cannot run, and hands over to the layers below (docs/layers.md)."""
