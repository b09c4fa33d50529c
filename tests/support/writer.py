"""A script that logs one run of metric points into a store (for many-writer tests)."""

import textwrap

WRITER = textwrap.dedent(
    """
    import sys, jupyter_mlops as mlops
    store, worker, points = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with mlops.start_run(name=f"worker-{worker}", experiment="load", store=store):
        mlops.log_param("worker", worker)
        for step in range(points):
            mlops.log_metric("value", step * 0.5)
            if step % 1000 == 0:
                mlops.log_metric("progress", step)
    """
)
