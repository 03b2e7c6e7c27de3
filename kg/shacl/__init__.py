"""SHACL: the shapes, the pyrudof screen, the pySHACL engine and the report. The only package that
imports pySHACL or pyrudof; the read wing never imports it."""
