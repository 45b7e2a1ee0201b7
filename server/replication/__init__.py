"""This node's side of sync: the engine's store, peers, scheduler, discovery, blobs."""
