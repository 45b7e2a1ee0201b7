"""Pages outside the API: the start page, /healthz, the client apps' files, /trust."""
