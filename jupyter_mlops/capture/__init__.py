"""What a run records about where and how it ran: environment, notebook, system metrics."""
