"""Pipelines: notebooks as the steps of a DAG (``jupyter mlops pipeline``).

- :mod:`.spec`: the YAML file, checked (:class:`~.spec.Pipeline`, :func:`~.spec.run_pipeline`);
- :mod:`.run`: running a checked pipeline;
- :mod:`.cache`: when a step reuses an earlier execution;
- :mod:`.references`: ``${steps.NAME.outputs.KEY}`` in a step's parameters;
- :mod:`.dry_run`: what would run, running nothing.
"""
