"""policy of the workbench."""
