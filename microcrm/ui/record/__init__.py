"""The record sheet (fiche) of an organisation and its tabs."""
