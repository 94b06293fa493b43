"""GED screens: a client's Documents tab, whole-GED search, « À classer », previews."""
