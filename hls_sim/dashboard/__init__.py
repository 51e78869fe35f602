"""The live classroom dashboard: a solara page over the Mesa model, served by `hls-sim dashboard`."""
