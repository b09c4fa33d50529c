"""Moving runs to and from other tracking tools."""
