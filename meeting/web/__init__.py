"""The web layer: factory shared, security, the live channel and one blueprint per audience."""
