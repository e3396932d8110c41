"""Help is documentation: ``chart --help``, ``-h``, and every command's help has an example."""

from __future__ import annotations

import pytest

from tests.conftest import run
from workbook_tool import __version__
from workbook_tool.cli import cli

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_top_level_help(flag):
    result = run(flag)
    assert result.exit_code == 0
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith("Usage: chart [OPTIONS] COMMAND [ARGS]...")
    assert "Keep an informational-interview contact chart in Excel or LibreOffice." in out
    assert "chart init my_chart.xlsx" in out and "chart validate my_chart.xlsx" in out
    assert "-h, --help" in out
    for name in COMMANDS:
        assert f"\n  {name} " in out, f"{name} is not listed"


def test_init_and_validate_exist():
    assert {"init", "validate"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help_with_an_example(name, flag):
    result = run(name, flag)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"Usage: chart {name} [OPTIONS] PATH")
    command = cli.commands[name]
    assert command.help and command.get_short_help_str().strip(), f"{name} has no one-line summary"
    assert "Example:" in out, f"{name}'s help has no example"
    example = out.split("Example:", 1)[1]
    assert f"chart {name} " in example, f"{name}'s example does not show the command"
    assert "-h, --help" in out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_explained(name):
    for param in cli.commands[name].params:
        if param.param_type_name == "option":
            assert param.help, f"chart {name} {param.opts[0]} has no help text"


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"chart, version {__version__}\n"


def test_unknown_command_is_a_usage_error():
    result = run("frobnicate")
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.stderr
    assert "Traceback" not in result.output


def test_missing_path_argument_is_a_usage_error():
    result = run("validate")
    assert result.exit_code == 2
    assert "Missing argument 'PATH'" in result.stderr
