"""Benchmarks of `recon run` at CI, county and province scale (issue 6):
`python -m bench.run --scale ci|county|province`."""
