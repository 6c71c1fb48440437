"""Files: atomic writes, the output folder and its lock, job status, and reading finished runs and studies (docs/layers.md)."""
