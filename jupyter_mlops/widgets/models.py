"""The run browser's models tab: registered models, their versions with runs, aliases and
the aliases' history. A version's run opens in the browser's run view."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import MlopsError
from ..render import html as h
from ..render.text import format_time

if TYPE_CHECKING:
    from ..store.model_entities import RegisteredModel
    from ..store.sqlstore import Store

SHOWN_VERSIONS = 50  # newest versions drawn; the total is said
SHOWN_MOVES = 20  # newest alias moves drawn

NO_MODELS = "no registered models yet: register one with mlops.register_model(name, path) inside a run"


class ModelsPanel(w.VBox):
    """Pick a model; see its versions (newest first), aliases and alias moves."""

    def __init__(self, store: Store, on_open_run: Callable[[str], None] | None = None) -> None:
        self.store = store
        self._on_open_run = on_open_run
        self.model: RegisteredModel | None = None
        self._syncing = False
        self.chooser = w.Dropdown(description="model", options=[], layout=w.Layout(width="320px"))
        self.refresh_button = w.Button(icon="refresh", tooltip="refresh", layout=w.Layout(width="36px"))
        self.summary = w.HTML("")
        self.versions = w.HTML("")
        self.version_choice = w.Dropdown(description="version", options=[], layout=w.Layout(width="320px"))
        self.open_button = w.Button(description="open its run", icon="external-link", layout=w.Layout(width="auto"))
        self.history = w.HTML("")
        self.chooser.observe(self._chosen, names="value")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.open_button.on_click(lambda _: self.open_run())
        super().__init__([
            w.HBox([self.chooser, self.refresh_button], layout=w.Layout(align_items="center")),
            self.summary, self.versions,
            w.HBox([self.version_choice, self.open_button], layout=w.Layout(align_items="center")),
            self.history,
        ])
        self.add_class("mlops-models")
        self.refresh()

    def refresh(self) -> None:
        """Read the list of models again and redraw the one shown (else the first)."""
        try:
            names = [m.name for m in self.store.models.list()]
        except MlopsError as exc:
            self.summary.value = h.error(str(exc))
            return
        current = self.chooser.value if self.chooser.value in names else (names[0] if names else None)
        self._syncing = True
        try:
            self.chooser.options = names
            self.chooser.value = current
        finally:
            self._syncing = False
        if current is None:
            self.model = None
            self.summary.value = h.empty(NO_MODELS)
            self.versions.value = self.history.value = ""
            self.version_choice.options = []
            self.open_button.disabled = True
            return
        self.show(current)

    def _chosen(self, change: dict[str, Any]) -> None:
        if not self._syncing and change["new"]:
            self.show(change["new"])

    def show(self, name: str) -> None:
        try:
            model = self.store.models.get(name, limit=SHOWN_VERSIONS, history_limit=SHOWN_MOVES)
        except MlopsError as exc:
            self.summary.value = h.error(str(exc))
            return
        self.model = model
        total = model.latest_version or 0
        aliases = ", ".join(f"{h.text(a)} → {v}" for a, v in model.aliases.items()) or "none"
        more = f" (the newest {len(model.versions)} shown)" if len(model.versions) < total else ""
        self.summary.value = (f"<p style='margin:4px 0'><b>{h.text(model.name)}</b>: {total} version(s){more}; "
                              f"aliases: {aliases}</p>")
        rows = [[str(v.version), h.text(", ".join(v.aliases) or "-"), h.text(v.run_id or "-"), h.text(v.artifact),
                 f"{v.size:,}", h.text(v.blob_digest[:12]), h.text(format_time(v.created_at)), h.text(v.user or "-")]
                for v in model.versions]
        self.versions.value = h.table(["version", "aliases", "run", "artifact", "bytes", "digest", "created", "user"],
                                      rows)
        self.version_choice.options = [(f"{v.version}" + (f" ({', '.join(v.aliases)})" if v.aliases else "")
                                        + f" — run {v.run_id}", v.version) for v in model.versions if v.run_id]
        if self.version_choice.options:  # the newest chosen, so the button has a run to open
            self.version_choice.value = self.version_choice.options[0][1]
        self.open_button.disabled = not self.version_choice.options or self._on_open_run is None
        moves = [[h.text(format_time(m.at)), h.text(m.alias), "-" if m.from_version is None else str(m.from_version),
                  "(deleted)" if m.to_version is None else str(m.to_version), h.text(m.user or "-")]
                 for m in reversed(model.alias_history)]
        self.history.value = (h.table(["when", "alias", "from", "to", "by"], moves) if moves
                              else h.empty("no alias has been set yet"))

    def open_run(self, version: int | None = None) -> None:
        """Open the run of a version (default: the one chosen) in the browser's run view."""
        if self.model is None or self._on_open_run is None:
            return
        number = version if version is not None else self.version_choice.value
        for candidate in self.model.versions:
            if candidate.version == number and candidate.run_id:
                self._on_open_run(candidate.run_id)
                return

    def text(self) -> str:
        if self.model is None:
            return NO_MODELS
        lines = [f"{self.model.name}: aliases {self.model.aliases or 'none'}"]
        lines += [f"  {v.version}  {', '.join(v.aliases) or '-'}  run {v.run_id}  {v.artifact}" for v in self.model.versions]
        return "\n".join(lines)
