"""Instructions: an agency's work sent to a grid (交办), acknowledged and turned into a case by its workers."""
