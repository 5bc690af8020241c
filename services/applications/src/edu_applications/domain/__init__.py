"""Rules of the service, free of I/O."""
