"""Retention deadlines, purge orders and the purge ledger."""
