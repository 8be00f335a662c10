"""Run the CLI as `python -m netpet`."""

from netpet.cli import cli

cli()
