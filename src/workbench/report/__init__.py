"""Report runs: parameterised notebooks executed into offline reports (``workbench run``).

Modules (import them directly; this package imports nothing on purpose, so that worker
processes start light):

- :mod:`~workbench.report.params`: the parameters-cell grammar and typed ``-p`` values;
- :mod:`~workbench.report.suite`: suite files (which notebooks, which parameters);
- :mod:`~workbench.report.run_id`: the fingerprint and id of a run;
- :mod:`~workbench.report.runner`: plan, execute (process pool, progress), move into place;
- :mod:`~workbench.report.worker`: one notebook in a worker process (papermill, HTML);
- :mod:`~workbench.report.html`: offline HTML with code hidden;
- :mod:`~workbench.report.manifest`, :mod:`~workbench.report.index`: ``manifest.json`` and the index pages;
- :mod:`~workbench.report.outputs`: ``show_table`` and ``save_figure`` for notebooks;
- :mod:`~workbench.report.kernel`, :mod:`~workbench.report.lab`, :mod:`~workbench.report.paths`.
"""
