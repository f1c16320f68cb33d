"""Province-scale benchmarks of the CCHC warehouse (`make bench`, `python -m bench.run`).

Each measured step runs in a child process (`python -m bench.child`) so its peak memory can be
read from the kernel; results go to bench/results.json and bench/RESULTS.md.
"""
