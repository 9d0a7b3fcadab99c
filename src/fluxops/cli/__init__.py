"""The command line: flag handling only. Each command calls one fluxops.api function."""
