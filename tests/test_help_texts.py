"""The --help of the argparse commands reads as plain text, not as the reStructuredText of docstrings."""

from __future__ import annotations

import re

import pytest

from sim.apps import calibrate, mechanisms, report, schema, sensitivity, tournament_cli, validate

MARKUP = re.compile(r"``|:(func|class|mod|meth|attr|ref|doc):`")


@pytest.mark.parametrize("command", [report.main, tournament_cli.main, sensitivity.main, mechanisms.main, validate.main,
                                     calibrate.main, schema.main],
                         ids=["tariffsim-report", "tariffsim-tournament", "tariffsim-sensitivity",
                              "tariffsim-mechanisms", "tariffsim-validate", "tariffsim-calibrate", "tariffsim-schema"])
def test_help_shows_no_restructuredtext_markup(command, capsys):
    with pytest.raises(SystemExit) as stopped:
        command(["--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: ") and "options:" in text
    assert not MARKUP.search(text), MARKUP.search(text)
    assert "``" not in text and ":func:" not in text


def test_help_names_the_command_and_a_closed_pipe_prints_no_traceback():
    import os
    import subprocess
    import sys
    from pathlib import Path

    tariffsim = Path(sys.executable).with_name("tariffsim")
    command = f"'{tariffsim}' --help | head -1; echo \"status=${{PIPESTATUS[0]}}\""
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert result.stdout.startswith("tariffsim is powered by Hydra"), result.stdout
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert "status=141" in result.stdout or "status=0" in result.stdout
