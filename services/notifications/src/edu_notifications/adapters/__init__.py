"""I/O: MongoDB store, SMTP channel, Kafka consumers, the sender loop, metrics."""
