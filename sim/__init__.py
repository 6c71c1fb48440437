"""tariffsim: an agent-based simulation of the 2025 US tariff negotiations.

The layers, from the bottom up (docs/layers.md; import contracts in pyproject.toml keep them
one-way):

- ``sim.core``: issues, packages, utilities, concession and acceptance (plain Python).
- ``sim.strategies``: what an agent decides, one small class per strategy.
- ``sim.config.scenario``: the scenario's typed, validated settings.
- ``sim.model``: the Mesa model and agents, domestic politics and the environment.
- ``sim.config.study``: a study composed from Hydra configs and checked.
- ``sim.io.files``: atomic writes; ``sim.run.runner`` / ``sim.run.results``: replications and tidy Parquet tables.
- ``sim.plots.figures`` and the other plots: figures drawn from result files alone.
- the studies (tournament, sensitivity, mechanisms) and the commands on top.
"""

__version__ = "0.1.0"
