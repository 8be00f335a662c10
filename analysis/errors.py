"""The one error the analysis library raises: `AnalysisError`, for data or arguments an analysis cannot take.

It subclasses ValueError (the errors are about values), so callers that caught ValueError still do; the CLI
turns it, beside the registry's `RegistryError`, into a one-line message in one place (`netpet.options`).
Messages speak of arguments (`by`, `covariates`), never of command-line flags.
"""


class AnalysisError(ValueError):
    """An analysis cannot be run on these data or with these arguments; `fix` names the argument that fixes it."""

    def __init__(self, *args: object, fix: str | None = None) -> None:
        self.fix = fix
        super().__init__(*args)


class ArgumentError(AnalysisError):
    """The arguments of an analysis do not go together (the CLI reports it as a usage error)."""
