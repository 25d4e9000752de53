# Benchmarks (not part of make check): each script compares a heavy stage with the tool a
# user would otherwise run, in the same run, and prints the ratio. Run them by hand after a
# build, e.g. `tests/bench/import`; each area's fragment ships its own in the tarball.
