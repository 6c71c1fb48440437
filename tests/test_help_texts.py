"""The --help of the argparse commands reads as plain text, not as the reStructuredText of docstrings."""

from __future__ import annotations

import re

import pytest

from sim import report, sensitivity, tournament

MARKUP = re.compile(r"``|:(func|class|mod|meth|attr|ref|doc):`")


@pytest.mark.parametrize("command", [report.main, tournament.main, sensitivity.main],
                         ids=["tariffsim-report", "tariffsim-tournament", "tariffsim-sensitivity"])
def test_help_shows_no_restructuredtext_markup(command, capsys):
    with pytest.raises(SystemExit) as stopped:
        command(["--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: ") and "options:" in text
    assert not MARKUP.search(text), MARKUP.search(text)
    assert "``" not in text and ":func:" not in text
