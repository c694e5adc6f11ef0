class StateConflict(Exception):
    """The record is not in a state that allows this change (someone else got there first)."""
