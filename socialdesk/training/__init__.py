"""Rebuilding the shipped triage models from the public data sets in ../shared, read in place.

Nothing here runs in the product: the web app and the worker only load the files this writes into
socialdesk/triage/artifacts/.
"""
