"""report of the workbench."""
