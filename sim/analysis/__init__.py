"""Studies of many runs: tournaments, sensitivity, mechanism tables, calibration, and scores against observed outcomes (docs/layers.md)."""
