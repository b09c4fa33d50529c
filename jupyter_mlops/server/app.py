"""The server extension app: its configuration and its routes."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp
from traitlets import Int, Unicode


class MlopsApp(ExtensionApp):
    """Serves the run browser's REST API under ``{base_url}mlops/api/``."""

    name = "jupyter_mlops"
    description = "REST API of the jupyter-mlops run browser"
    load_other_extensions = True

    store = Unicode(
        None,
        allow_none=True,
        config=True,
        help=(
            "Store location (a directory, relative to the server root if not absolute, or a "
            "postgresql:// URL) used for every request. Unset: each request uses the store a "
            "kernel started in its `path=` directory would find (JUPYTER_MLOPS_STORE, else the "
            "nearest .mlops folder, else the git work tree's top, else the Jupyter data dir)."
        ),
    )
    max_page_size = Int(1000, config=True, help="Largest `limit` a `GET runs` request may ask for.")
    default_max_points = Int(
        2000, config=True, help="Points of a metric history sent when `max_points` is not given."
    )
    max_points_limit = Int(
        20000, config=True, help="Largest `max_points` a metric history request may ask for."
    )
    max_compare = Int(50, config=True, help="Most runs one `GET compare` request may name.")

    def initialize_handlers(self) -> None:
        from .handlers import routes
        from .lineage import lineage_routes
        from .models import model_routes
        from .reproduce import reproduce_routes

        self.handlers.extend([*model_routes("mlops/api"), *lineage_routes("mlops/api"),
                              *reproduce_routes("mlops/api"), *routes()])  # before routes()' catch-all
