"""Duty rules, pure: no I/O, no clock (``today`` and ``now`` are passed in).

One module per aggregate — units, posts, outlets, inspections (and rectifications) — plus
``restructure`` for township merges and splits, which move units, posts and outlets together.
"""
