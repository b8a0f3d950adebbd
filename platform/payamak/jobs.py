"""Background work: the Dramatiq broker (set up once, here), the worker and the scheduler.

With ``PAYAMAK_REDIS_URL`` the broker is Redis and ``payamak worker`` / ``payamak scheduler``
run as their own processes. Without it (the embedded mode) the broker is in-process and
``payamak serve`` runs worker threads and the scheduler beside the web server. The broker only
carries ids of work the database already records.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware
from dramatiq.middleware.asyncio import AsyncIO, get_event_loop_thread

from payamak.registry import get_registry
from payamak.settings import Settings

log = logging.getLogger("payamak.jobs")

CORE_ACTOR_MODULES = ("payamak.core_actors",)

_broker: dramatiq.Broker | None = None


class DatabasePool(Middleware):
    """Opens the PostgreSQL pool on the worker's own event loop (a pool belongs to its loop)."""

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        from payamak.db import start_pool

        thread = get_event_loop_thread()
        if thread is not None:
            thread.run_coroutine(start_pool(min_size=1, max_size=worker.worker_threads + 2))

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        from payamak.db import close_pool

        thread = get_event_loop_thread()
        if thread is not None:
            thread.run_coroutine(close_pool())


def setup_broker(settings: Settings, *, worker_pool: bool = False) -> dramatiq.Broker:
    """Create the broker once, install it, then import every actor module (core and plugins)."""
    global _broker
    if _broker is not None:
        return _broker
    if settings.redis_url:
        from dramatiq.brokers.redis import RedisBroker

        namespace = settings.extra.get("REDIS_NAMESPACE", "payamak")
        broker: dramatiq.Broker = RedisBroker(url=settings.redis_url, namespace=namespace)
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    if worker_pool:
        broker.add_middleware(DatabasePool())
    dramatiq.set_broker(broker)
    _broker = broker
    for module in actor_modules():
        importlib.import_module(module)
    return broker


def actor_modules() -> list[str]:
    """The actor modules of the core and of every installed plugin."""
    return [*CORE_ACTOR_MODULES, *get_registry().collect("payamak_actor_modules")]


def start_worker(broker: dramatiq.Broker, threads: int) -> dramatiq.Worker:
    """Start worker threads consuming every queue of ``broker`` in this process."""
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker


def periodic_tasks() -> list[tuple[str, int]]:
    """``(actor_name, every_seconds)`` of the core and all plugins."""
    return list(get_registry().collect("payamak_periodic_tasks"))


class Scheduler:
    """Sends periodic actors on their period. Safe to run more than once: the actors lock rows."""

    def __init__(self, broker: dramatiq.Broker, tasks: list[tuple[str, int]]) -> None:
        self.broker = broker
        self.tasks = tasks
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, now: float, last: dict[str, float]) -> list[str]:
        """Send every task whose period has passed since ``last``; return their names."""
        sent = []
        for name, every in self.tasks:
            if now - last.get(name, 0.0) >= every:
                self.broker.get_actor(name).send()
                last[name] = now
                sent.append(name)
        return sent

    def run(self) -> None:
        """Loop until :meth:`stop` (the ``payamak scheduler`` process, or a thread)."""
        last: dict[str, float] = {}
        log.info("scheduler running %d periodic task(s)", len(self.tasks))
        while not self._stop.is_set():
            try:
                self.tick(time.monotonic(), last)
            except Exception:  # a broker hiccup must not end the scheduler
                log.exception("scheduler tick failed")
            self._stop.wait(1.0)

    def start_thread(self) -> None:
        self._thread = threading.Thread(target=self.run, name="payamak-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def run_async(coro: Any) -> Any:
    """Run a coroutine on the worker's event loop (for sync code inside actors)."""
    thread = get_event_loop_thread()
    if thread is None:
        raise RuntimeError("the AsyncIO middleware is not running")
    return thread.run_coroutine(coro)
