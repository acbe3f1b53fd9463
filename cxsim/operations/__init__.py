"""Operations that produce performance: stores, an order-to-delivery pipeline, a call centre and
scheduled events — each a readable SimPy reference model and a fast numba kernel that gives the
same per-customer results on the same draws. See the README section "Operations"."""
