"""The web layer: factory plumbing, security, the live channel and one blueprint per audience."""
