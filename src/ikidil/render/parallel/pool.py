"""The processes that lay out parts (LayoutPool) and how a process is prepared for it."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor, wait as futures_wait

from ... import interrupt
from .jobs import Job, Laid, _init_worker, _layout_job
from .split import CannotSplit

def _init_pool_worker(*args):
    # Ctrl-C on a terminal reaches the whole process group: the build (the parent) stops
    # its workers itself (interrupt.py), so a worker takes no KeyboardInterrupt of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(*args)
    import weasyprint            # noqa: F401  (the import is most of a worker's start-up)
    # A part's layout allocates millions of small objects, most of them alive until it is
    # written: the collector's frequent young-generation passes over them cost ~15 % of the
    # layout. Freeze what the imports made (never garbage) and collect less often; each job
    # ends with one full collection, so a worker's memory does not grow part after part.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@contextlib.contextmanager
def _collecting_less_often():
    """The pool workers' collector settings for the main process's own layouts, restored
    after. What the main process holds (the book, its documents) is frozen meanwhile, so the
    full collection after each part does not walk it again and again."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _start_quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with its stderr on /dev/null. When a build
    is stopped by Ctrl-C (interrupt.py) it ends at once, and the tracker then removes the
    semaphores the pool's queues and counters leave, which is its job, but it also tells the
    user's terminal with a UserWarning about "leaked semaphore objects". It inherits the
    stderr of the moment it starts, so it starts here, while stderr points elsewhere."""
    from multiprocessing import resource_tracker
    sys.stderr.flush()
    saved, quiet = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(quiet, 2)
        resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(quiet)


class LayoutPool:
    """The processes that lay out parts: `jobs - 1` pool workers and the main process, which
    would otherwise only wait (one process fewer is one interpreter start and WeasyPrint
    import fewer; there is no pool at all for `-j 1` or a single part to lay out).

    A build opens one with `start()` before loading the book, so the workers' start-up
    overlaps the load, and shares it between all its PDFs. Jobs are taken in index order,
    and a job reports its page count before it waits for the counts of the parts before it
    (_wait_for_start), so a job only ever waits for jobs already running or done: no
    deadlock. On an error or Ctrl-C the workers (waiting, or laying out) are stopped."""

    MAX_PARTS = 4096

    def __init__(self, jobs: int | None = None):
        self.processes = max(1, jobs or os.cpu_count() or 1) - 1
        self.pool: ProcessPoolExecutor | None = None
        self.main_ready = False
        self.ctx = None
        self.main_joins_after = None      # a Future: see join_after

    def _shared(self) -> None:
        """The state the processes share (made on first use: an EPUB build needs none)."""
        if self.ctx is None:
            _start_quiet_resource_tracker()
            self.ctx = multiprocessing.get_context("spawn")
            self.counts = self.ctx.Array("i", self.MAX_PARTS, lock=False)
            self.failed = self.ctx.Value("i", 0, lock=False)
            self.condition = self.ctx.Condition()

    def start(self) -> "LayoutPool":
        """Start the workers now (they import WeasyPrint while the caller does other work)."""
        self._shared()
        if self.pool is None and self.processes:
            self.pool = ProcessPoolExecutor(self.processes, mp_context=self.ctx, initializer=_init_pool_worker,
                                            initargs=(self.counts, self.failed, self.condition))
            for _ in range(self.processes):
                self.pool.submit(os.getpid)
        return self

    def join_after(self, busy) -> None:
        """Let the workers start without the main process until the Future `busy` is done:
        work of the main process's other threads (the checks) and a layout in the main
        process would slow each other down (one interpreter lock), while a worker process
        loses nothing to them."""
        self.main_joins_after = busy

    def reset(self, counts: list[int]) -> None:
        """A new layout: the known page counts of its parts (-1: unknown)."""
        if len(counts) > self.MAX_PARTS:
            raise CannotSplit(f"more than {self.MAX_PARTS} parts")
        self._shared()
        self.failed.value = 0
        self.counts[:len(counts)] = counts

    def __enter__(self) -> "LayoutPool":
        self._cleanup = interrupt.register(self._terminate)
        return self

    def __exit__(self, kind, error, trace) -> None:
        interrupt.unregister(self._cleanup)
        if self.pool is None:
            return
        if kind is not None and not issubclass(kind, CannotSplit):
            self.failed.value = 1
            processes = self._processes()
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
        else:
            self.pool.shutdown(wait=False)     # every job is done: the workers just exit

    def _processes(self) -> list:
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def _terminate(self) -> None:
        """The build is stopped by a signal: the workers stop too, whatever they are doing."""
        for process in self._processes():
            process.terminate()

    def run(self, jobs: list[Job], absorb=None) -> list[Laid]:
        """The jobs' results, in the jobs' order. `absorb(position, result)` is called in the
        main thread for each, in the jobs' order, as soon as it and those before it are in:
        between the main process's own layouts and while it waits for the workers'."""
        if len(jobs) > 1:
            self.start()
        self._shared()
        with _collecting_less_often():
            return self._run(jobs, absorb or (lambda position, result: None))

    def _main_joins(self) -> None:
        """Set up the main process for layout (its first time imports WeasyPrint: after
        the workers have their jobs)."""
        if not self.main_ready:
            _init_worker(self.counts, self.failed, self.condition)
            self.main_ready = True

    def _run(self, jobs: list[Job], absorb) -> list[Laid]:
        """Whoever is free takes the next job in index order: the main process, or a thread
        that hands it to a pool worker and waits for it (one job per worker at a time, so
        a job never waits for a part still queued behind it)."""
        import threading
        from collections import deque
        queue, lock, arrived = deque(enumerate(jobs)), threading.Lock(), threading.Condition()
        results: list[Laid | None] = [None] * len(jobs)
        errors: list[BaseException] = []
        absorbed = 0

        def take():
            with lock:
                return queue.popleft() if queue and not errors else None

        def feed():
            while (item := take()) is not None:
                try:
                    results[item[0]] = self.pool.submit(_layout_job, item[1]).result()
                except BaseException as error:          # handed to the main thread
                    errors.append(error)
                with arrived:
                    arrived.notify()

        def absorb_ready() -> None:
            nonlocal absorbed
            while absorbed < len(jobs) and results[absorbed] is not None and not errors:
                absorb(absorbed, results[absorbed])
                absorbed += 1

        def feeding() -> bool:
            return any(feeder.is_alive() for feeder in feeders)

        feeders = [threading.Thread(target=feed, daemon=True) for _ in range(self.processes if self.pool else 0)]
        for feeder in feeders:
            feeder.start()
        try:
            if feeders and self.main_joins_after is not None:
                futures_wait([self.main_joins_after])
            if queue:
                self._main_joins()
            while (item := take()) is not None:
                results[item[0]] = _layout_job(item[1])
                absorb_ready()
            while absorbed < len(jobs) and not errors:
                with arrived:
                    arrived.wait_for(lambda: results[absorbed] is not None or errors or not feeding(), timeout=1.0)
                if results[absorbed] is None and not feeding():
                    break                                # a worker's error: raised below
                absorb_ready()
        except BaseException as error:
            errors.append(error)
        for feeder in feeders:
            feeder.join()
        if errors:
            raise errors[0]
        return results
