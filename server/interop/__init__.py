"""Formats shared with other systems: the content pack today; rosters and exports next."""
