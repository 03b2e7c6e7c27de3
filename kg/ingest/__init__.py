"""The write wing: annotation files read, checked, anchored and built into article graphs (``pipeline``
runs it all and commits to the store)."""
