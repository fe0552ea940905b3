"""The use cases the surfaces share: reads of the scoped graph, analyses, imports, plans."""
