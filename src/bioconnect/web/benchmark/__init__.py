"""The Benchmark section: the European Innovation Scoreboard and the biotech research index."""
