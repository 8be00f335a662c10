"""The `netpet` commands, one module per area; each is loaded only when its command runs."""
