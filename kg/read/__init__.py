"""The read wing: named queries, export and the local SPARQL server, over the embedded store. It never
imports the write wing or the SHACL engines."""
