"""The leaf of the package: plain types, errors and the clock. Imports nothing else from socialdesk."""
