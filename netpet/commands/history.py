"""Commands over the change history: show a patient's changes, delete a patient, restore one."""

from __future__ import annotations

import click

from netpet.options import db_option, format_option, open_registry, render


@click.command()
@db_option
@format_option
@click.option("--patient", "patient_id", required=True, help="The registry's patient ID.")
def history(db: str | None, fmt: str, patient_id: str) -> None:
    """Show every recorded change to one patient's records, oldest first."""
    from netpet.registry.history import patient_history

    with open_registry(db, read_only=True) as reg:
        click.echo(render(patient_history(reg, patient_id), fmt))


@click.command("delete-patient")
@db_option
@click.argument("patient_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_patient(db: str | None, patient_id: str, yes: bool) -> None:
    """Delete a patient and all their records; the values stay in the change history."""
    from netpet.registry.history import delete_patient as delete

    if not yes:
        click.confirm(f"Delete patient {patient_id} and all their records?", abort=True)
    with open_registry(db) as reg:
        rows = delete(reg, patient_id)
    click.echo(f"deleted patient {patient_id} ({rows} records); `netpet restore-patient {patient_id}` undoes it")


@click.command("restore-patient")
@db_option
@format_option
@click.argument("patient_id")
def restore_patient(db: str | None, fmt: str, patient_id: str) -> None:
    """Restore a deleted patient's records from the change history."""
    from netpet.registry.history import restore_patient as restore

    with open_registry(db) as reg:
        click.echo(render(restore(reg, patient_id), fmt))
