"""tariffsim: an agent-based simulation of the 2025 US tariff negotiations.

The layers, each depending only on those above it:

- ``sim.core``: issues, packages, utilities, concession and acceptance (plain Python).
- ``sim.strategies``: what an agent decides, one small class per strategy.
- ``sim.model``: the Mesa model and agents, domestic politics and the environment.
- ``sim.config``: typed, validated scenario settings built from Hydra configs.
- ``sim.runner`` / ``sim.results``: replications and tidy Parquet tables; ``sim.files`` writes them.
- ``sim.figures``: matplotlib figures drawn from result files alone.
"""

__version__ = "0.1.0"
