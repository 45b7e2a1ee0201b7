"""Parts of ``scripts/bench learning``: the simulated classroom, prediction, and timing."""
