"""Benchmarks, outside the domain packages (results, machines and commands in docs/benchmarks.md): the planner
(bench.solver), publishing (bench.publishing), the API and background runs (bench.api), loopback load (bench.load)."""
