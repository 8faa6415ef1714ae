"""The whole platform on one machine: moto's AWS server, the resources of every stack, demo data, and one
HTTP gateway in front of the four functions."""
