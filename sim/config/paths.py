"""Where the configs that ship with the package live: ``sim/conf/``, installed beside the code.

``python -m sim.config.paths`` prints the directory, to copy a shipped config from.

Every module that composes a config or reads a YAML file of its own finds it here, so an
editable checkout and a wheel installed anywhere read the same files. A researcher's own configs
go in a directory of their own, added to Hydra's search path (README, "Your own configs").
"""

from __future__ import annotations

from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "conf"
"""The package's config directory (``sim/conf``): ``config.yaml`` and its groups."""

CONF_DIR = str(CONF)
"""``CONF`` as the string Hydra's ``config_path`` and ``initialize_config_dir`` take."""


if __name__ == "__main__":  # `python -m sim.config.paths`: where to copy a shipped config from
    print(CONF)
