"""Shared, versioned contracts. No service logic lives here: only data shapes and
the validation rules that are part of a shape (e.g. what a personal code is)."""
