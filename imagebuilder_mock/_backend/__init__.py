"""State, identity and the mechanisms every resource family shares."""
