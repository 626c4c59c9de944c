"""sources of the workbench."""
