"""Run one callable in several threads released at the same moment (PostgreSQL races)."""

import threading

from django.db import connection


def race(target, count=2):
    """`count` threads call `target()` together; what each returned, or the exception it
    raised, in the order they finished. Each thread closes its own database connection."""
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(target())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes
