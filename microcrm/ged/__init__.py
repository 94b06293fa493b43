"""GED: content-addressed document store, text extraction, index and search."""
