"""``python -m sim`` is the ``tariffsim`` command."""

from sim.apps.preflight import main

if __name__ == "__main__":
    main()
