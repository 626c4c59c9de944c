"""indicators of the workbench."""
