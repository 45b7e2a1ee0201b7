"""Running the node: waitress, serving processes, TLS and its CA, shared run state, identity."""
