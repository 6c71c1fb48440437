"""Every figure and the HTML report, drawn from result files alone: nothing here loads the model (docs/layers.md)."""
