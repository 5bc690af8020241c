"""Shared runtime of the services. Kept deliberately small: anything specific to
one service belongs in that service."""
