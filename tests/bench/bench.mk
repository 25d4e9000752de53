# benchmarks (not part of make check): run with make bench
