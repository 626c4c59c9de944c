"""geo of the workbench."""
