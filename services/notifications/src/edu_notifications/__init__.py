"""Notifications: tells applicants by e-mail when their application changes."""
