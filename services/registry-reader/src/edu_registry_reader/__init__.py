"""VIIS register replica: 'My data' reads, wizard lookups, eligibility verdicts, access log."""
