"""One construct per capability; each builds its resources from the specifications in resource_specs."""
