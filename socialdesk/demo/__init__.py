"""The bundled demo: Skylark Air, an invented airline, and its customers' conversations."""
