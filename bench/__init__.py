"""The side-by-side benchmark: c360, PostGraphile 5 and the bare SQL, in one run.

``make bench`` (``python -m bench``) builds the demo bank in a PostgreSQL cluster of its own,
serves both systems over loopback, loads them with wrk and writes bench/results/.
"""
