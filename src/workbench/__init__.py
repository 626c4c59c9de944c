"""nisp-workbench: the Security Analysis & Research Cell's workbench for NISP 2018.

The package flows one way: catalog (fetch, verify) -> sources (publisher format ->
tidy frame) -> geo (units, aliases, crosswalks) -> panel (unit-year tables) ->
indicators / models / policy -> notebooks -> report runs.
"""

__version__ = "0.1.0"
