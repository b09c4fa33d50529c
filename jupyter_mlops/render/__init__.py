"""Presentation of runs, for every face, below the store: plain text and tables (:mod:`.text`),
escaped HTML (:mod:`.html`, :mod:`.run_html`, :mod:`.summary`) with one palette
(:mod:`.palette`), JSON and CSV (:mod:`.export`), DataFrames (:mod:`.frame`) and charts
(:mod:`.plot`).

A leaf: it imports nothing of the store. It works on any object with a run's attributes, so the
store's entities can show themselves through it (their ``_repr_html_``, ``__repr__`` and ``plot``
call down into it) without it knowing them.
"""
