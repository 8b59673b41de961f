"""Live sittings: the Chair's console, the delegates' live view, the projector (issue #7)."""
