"""NETPET analysis: survival statistics by NETPET group that agree with R's survival package."""

__all__: list[str] = []
