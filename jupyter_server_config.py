"""The project's Jupyter server settings: `workbench lab` starts JupyterLab with them (--config).

Notebooks saved under notebooks/ are written without outputs, execution counts or papermill's
records: the tracked notebooks stay clean however they are edited in Lab (executed copies live in
reports/). Notebooks elsewhere (a copy in reports/, a scratch notebook outside notebooks/) are
saved as they are. To start Lab yourself with the same settings:
`.venv/bin/jupyter lab --config=jupyter_server_config.py` from the project folder.
"""

import warnings
from pathlib import Path

from workbench.report.lab import START_FOLDER, strip_outputs_under

c = get_config()  # noqa: F821 - Jupyter provides get_config when it reads this file

c.FileContentsManager.pre_save_hook = strip_outputs_under(Path(__file__).resolve().parent / START_FOLDER)
# Jupyter applies the setting twice when Lab links its extension, and the second time warns that the
# hook replaces itself: harmless, and only noise for the analyst.
warnings.filterwarnings("ignore", message=r"Overriding existing pre_save_hook \(strip_outputs\)")
