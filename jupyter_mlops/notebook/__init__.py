"""Reading notebook documents: their cells (:mod:`.cells`) and the ``parameters`` cell
(:mod:`.params`), one reader for capture, the runner and the controls.

A leaf: it imports nothing from the store, tracking, the runner or capture, and nothing
heavy at import time (IPython and nbformat load only when a notebook needs them).
"""
