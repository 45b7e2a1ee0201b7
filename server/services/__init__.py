"""Services: the operations views and the CLI call. SQL lives here and in models."""
