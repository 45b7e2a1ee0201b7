"""Replication for Baobab, as a library.

Free of Flask, waitress, zeroconf and ``server``: it knows rows, stamps,
clocks and partitions, never the concrete models or the network. The server
hands it the replicated models and a transport.
"""

PROTOCOL_VERSION = 1

__all__ = ["PROTOCOL_VERSION"]
