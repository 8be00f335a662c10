"""The `netpet` click group: global options and the table of commands, loaded lazily.

Each command lives in a module under `netpet.commands` and is imported only when it runs, so that
`netpet --help` starts without importing DuckDB, polars, lifelines or matplotlib.
"""

from __future__ import annotations

import importlib

import click

from netpet import __version__

#: name -> ("module:function", one-line help shown by `netpet --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("netpet.commands.audit:audit", "Run the data checks and write the audit report (HTML + CSVs)."),
    "backup": ("netpet.commands.safety:backup", "Write a consistent copy of the registry with a checksum manifest."),
    "cohort": ("netpet.commands.cohort:cohort", "Build, list, show and drop saved cohorts."),
    "config": ("netpet.commands.config:config", "Show and change the registry's settings; changes are logged."),
    "cox": ("netpet.commands.cox:cox", "Cox model by NETPET group and covariates; PH test; concordance."),
    "delete-patient": ("netpet.commands.history:delete_patient", "Delete a patient; the history keeps the values."),
    "demo": ("netpet.commands.data:demo", "Build the synthetic demo registry and a first survival summary."),
    "export": ("netpet.commands.cohort:export", "Write the analysis views as Parquet or CSV."),
    "federate": ("netpet.commands.federate:federate", "Pool survival analyses across sites from aggregate files."),
    "history": ("netpet.commands.history:history", "Show every recorded change to one patient's records."),
    "import": ("netpet.commands.data:import_", "Import a folder, workbook or REDCap export (all or nothing)."),
    "init": ("netpet.commands.setup:init", "Create an empty registry (optionally encrypted)."),
    "km": ("netpet.commands.survival:km", "Kaplan–Meier survival by group with log-rank tests (as R)."),
    "migrate": ("netpet.commands.setup:migrate", "Apply pending schema migrations and rebuild the views."),
    "pair": ("netpet.commands.scoring:pair", "Pair unpaired SSTR and FDG scans into dual-PET timepoints."),
    "query": ("netpet.commands.cohort:query", "Run one sandboxed read-only SELECT over the analysis views."),
    "report": ("netpet.commands.report:report", "Write the survival report of a cohort: figures, tables, manifest."),
    "restore": ("netpet.commands.safety:restore", "Verify a backup against its manifest and restore it."),
    "restore-patient": ("netpet.commands.history:restore_patient", "Restore a deleted patient from the history."),
    "score": ("netpet.commands.scoring:score", "Show a patient's score timeline, or score disagreements."),
    "template": ("netpet.commands.data:template", "Write empty import tables (CSV or xlsx) to fill in."),
    "swimmer": ("netpet.commands.longitudinal:swimmer", "Draw a swimmer plot: scores, treatments, outcomes."),
    "transitions": ("netpet.commands.longitudinal:transitions", "Tabulate score transitions between timepoints."),
    "validate": ("netpet.commands.validate:validate", "Compare the NETPET score with other schemes: C, AUC, RMST."),
    "views": ("netpet.commands.setup:views", "List the registry's analysis views with their descriptions."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use; help text comes from `COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, _ = COMMANDS[cmd_name]
        module, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    envvar="NETPET_DB",
    default="netpet.duckdb",
    show_default=True,
    help="Registry file (or $NETPET_DB).",
)
@click.version_option(__version__, prog_name="netpet")
@click.pass_context
def cli(ctx: click.Context, db: str) -> None:
    """NETPET Registry: a dual-PET (DOTATATE + FDG) NET registry and its survival analyses."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
