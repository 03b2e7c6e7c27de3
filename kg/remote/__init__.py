"""Remote triplestores: endpoints and credentials, remote SPARQL queries, and loading the store."""
