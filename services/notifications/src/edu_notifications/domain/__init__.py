"""Pure rules: which messages an event causes, their texts, delivery states."""
