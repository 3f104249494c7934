"""`python -m solver.bench` keeps working: the planner benchmark lives in bench/solver.py with the other
benchmarks (bench/ needs nothing of Django either)."""
from bench.solver import main

if __name__ == "__main__":
    main()
