"""``python -m devstack``: the whole platform on this machine (what ``make dev`` runs)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from devstack.server import Devstack, print_welcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--corporations", type=int, default=1000, help="synthetic corporations loaded into the open data"
    )
    parser.add_argument("--quiet", action="store_true", help="print only the first line with the URL")
    args = parser.parse_args(argv)
    devstack = Devstack(host=args.host, port=args.port, corporations=args.corporations)
    try:
        demo = devstack.start()
    except OSError as error:
        print(f"devstack: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        print("devstack: choose another port with `make dev PORT=8001`", file=sys.stderr)
        return 2
    print(f"devstack ready at {demo['base_url']}/", flush=True)
    if not args.quiet:
        print_welcome(demo)
    try:
        devstack.serve_forever()  # until Ctrl-C or SIGTERM
    except KeyboardInterrupt:
        pass
    finally:
        print("\ndevstack: stopping", flush=True)
        devstack.stop()
    print("devstack: stopped", flush=True)
    return 0


def exit_now(code: int) -> None:
    """Leave without the interpreter's teardown. Everything is stopped and flushed by then, but threads that
    are still parked (review workflows waiting for a decision in moto, native thread pools of the data
    libraries) can abort the process while the interpreter finalises (seen as exit code -6)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
