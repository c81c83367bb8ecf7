"""Knowledge endpoints: search, drug records, interaction checks, and grounded chat answers."""
