"""The behavioural math of cxsim: pure functions over numpy arrays.

Every function here works for one customer (1-D arrays, or 2-D with one row) and for a whole
population (2-D arrays, one row per customer) with the same code, and has no side effects and no
random state: random draws are made by the engine and passed in.
"""
