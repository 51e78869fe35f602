"""One module per `hls-sim` subcommand; each defines `register(subparsers)`."""
