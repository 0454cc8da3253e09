"""A class in one run: the roster, the serial loop and xdist scheduling, reading ahead, class grades,
the memory held per student, and merging shards.
"""
