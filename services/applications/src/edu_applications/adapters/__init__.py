"""Edges of the service: HTTP, Kafka and MongoDB."""
