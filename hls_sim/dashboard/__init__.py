"""The live classroom dashboard (Mesa SolaraViz): `hls-sim dashboard` serves `app.py` on localhost."""
