"""SHACL: the shapes, the pyshacl-turbo screen, the pySHACL engine and the report. The only package
that imports a SHACL engine; the read wing never imports it."""
