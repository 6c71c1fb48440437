"""The ``tariffsim`` command: check the command line, then hand it to the Hydra app (``sim.apps.cli``).

Hydra creates the run directory (or writes ``multirun.yaml`` into the sweep directory) before
the job composes and validates its config, and prints its own composition errors raw
(``Key 'concession' is not in struct``, a YAML scanner traceback). ``check`` first composes the
config with Hydra's own loader, for the run or for every job of a sweep, and validates it as the
job will: a command line that cannot run is refused with one message naming the key, the file or
the job, exit status 2 and nothing written. ``TARIFFSIM_DEBUG=1`` shows the traceback too
(``sim.apps.command_errors.report``, as every command does).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from hydra._internal.hydra import Hydra
from hydra._internal.utils import (
    create_automatic_config_search_path,
    detect_calling_file_or_module_from_task_function,
    get_args_parser,
)
from hydra.core.config_search_path import SearchPathQuery
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode

from sim.apps import cli
from sim.apps.command_errors import CommandError, closed_pipe, report
from sim.config.paths import CONF_DIR
from sim.apps.hydra_errors import compose
from sim.apps.job_check import check_job, check_output_dir
from sim.apps.sweep_check import check_sweep

CONFIG_NAME = "config"  # the primary config of ``sim.apps.cli.main``
INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it


def main() -> None:
    """Entry point of ``tariffsim`` and ``python -m sim``: refuse a bad command line, else run it."""
    try:
        check(sys.argv[1:])
    except CommandError as error:
        sys.exit(report("tariffsim", error))
    except KeyboardInterrupt:  # while a large sweep is being checked: nothing has been written yet
        print("tariffsim: interrupted while checking the command line; nothing was run or written", file=sys.stderr)
        sys.exit(INTERRUPTED)
    try:
        cli.main()
    except BrokenPipeError:
        closed_pipe()


def check(argv: Sequence[str]) -> None:
    """Compose and validate the run, or every job of the sweep, that ``argv`` asks for.

    Commands that only show something (``--help``, ``--info``...) are left to Hydra; ``--cfg``
    needs the config composed (its keys checked), not valid.

    Raises:
        CommandError: naming each bad key, file or job, and what is allowed.
    """
    args = get_args_parser().parse_args(list(argv))  # Hydra's own parser: a bad flag exits with usage
    if args.help or args.hydra_help or args.info or args.shell_completion or args.experimental_rerun:
        return
    hydra = _hydra(args.config_path, args.config_dir)
    try:
        config_name = args.config_name or CONFIG_NAME
        overrides = list(args.overrides)
        configured = hydra.get_mode(config_name=config_name, overrides=overrides)
        mode = RunMode.MULTIRUN if args.multirun or configured == RunMode.MULTIRUN else RunMode.RUN
        overrides.append(f"hydra.mode={mode.name}")  # as Hydra's own launch does
        cfg = compose(lambda items: hydra.compose_config(config_name, items, run_mode=mode), overrides)
        if args.cfg:
            return
        if mode == RunMode.MULTIRUN:
            check_sweep(hydra.config_loader, cfg)
        else:
            check_output_dir(cfg, "hydra.run.dir")
            check_job(cfg)
    finally:
        GlobalHydra.instance().clear()


def _hydra(config_path: str | None, config_dir: str | None) -> Hydra:
    """The Hydra instance ``sim.apps.cli.main`` would build, with ``-cp`` and ``-cd`` applied."""
    calling_file, calling_module = detect_calling_file_or_module_from_task_function(cli.main)
    search_path = create_automatic_config_search_path(calling_file, calling_module, config_path or CONF_DIR)
    if config_dir is not None:
        path = os.path.abspath(config_dir)
        if not os.path.isdir(path):
            raise CommandError(f"--config-dir {config_dir!r}: {path} is not a directory; give the folder "
                               "that holds your config groups (scenario/, country/...)")
        search_path.prepend(provider="command-line", path=f"file://{path}", anchor=SearchPathQuery(provider="schema"))
    try:
        return Hydra.create_main_hydra2(task_name="cli", config_search_path=search_path)
    except Exception as error:  # noqa: BLE001 - e.g. a --config-path that does not exist
        raise CommandError(" ".join(str(error).split())) from error
