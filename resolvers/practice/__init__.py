"""The relationship practice (brief §4–5), free of GraphQL: home branches, profile
completeness, the maintenance agenda, suitability, assets at a past date, RM performance and
marketing segments."""
