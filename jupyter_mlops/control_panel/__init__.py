"""Parameters through widgets: controls whose every run is tracked.

- ``%%track --controls`` shows controls for a cell's literal params and a Run button; each
  press runs the cell with the controls' values as a new tracked run (:mod:`.cell`).
- ``mlops.controls(lr=(1e-4, 1e-1, "log"), epochs=(1, 50), opt=["adam", "sgd"]).run(train)``
  calls ``train(**values)`` in a new tracked run per press (:mod:`.api`).

Under the controls, a live table of the runs made from them and a chart of a metric against
the changed parameter. Headless (papermill, ``jupyter mlops run``) nothing is shown and the
code runs once with its own or injected values. Importing this package loads no ipywidgets.
"""
