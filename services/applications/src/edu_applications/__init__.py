"""Education resource applications: wizard, citizen and staff workflow."""
