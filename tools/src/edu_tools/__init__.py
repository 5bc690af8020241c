"""Developer and operator tooling: the ``edu`` command, the embedded-backend
supervisor, and the pytest fixtures that start real servers for tests."""
