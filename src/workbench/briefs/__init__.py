"""Briefs: what the workbench has for one province or district (the notebook ``60_unit_brief``)."""

from workbench.briefs.units import LEVELS, BriefUnit, brief_unit, brief_units, check_unit_id, list_command

__all__ = ["LEVELS", "BriefUnit", "brief_unit", "brief_units", "check_unit_id", "list_command"]
