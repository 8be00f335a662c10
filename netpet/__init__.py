"""The `netpet` command: a thin click CLI over the `registry` and `analysis` libraries."""

__version__ = "0.1.0"
