"""The dashboard's web server: a Starlette application, its routes and its safety rules.

Safety, by default:

* it listens on 127.0.0.1 only; another interface needs ``--host`` and prints a warning;
* requests for another host name are refused (no DNS rebinding from a web page);
* a browser names scenarios by key: only the files given at start-up and the shipped examples
  can be read, and nothing is ever written (an export is a download);
* every input is checked (:mod:`realpolitik.app.requests`), then the edited scenario is built
  through the scenario loader with the rules of a scenario file;
* the work per request is capped (draws), the model work runs in a fixed pool of worker
  processes (one per usable CPU) in arrival order (recomputations of one scenario that wait
  together run as one job, :data:`MAX_BATCH_DRAWS` draws at most and each worker's fair share,
  each with the answer it would get alone), at most :data:`MAX_PENDING` requests wait
  (half of them at most from one client address),
  a request whose client has gone (the page sent a newer one) is dropped before it runs, and
  long jobs (scenario discovery) never hold every worker: one client cannot starve the others;
* the page loads scripts from this server only (a Content-Security-Policy says so), and Plotly.js
  comes from the installed ``plotly`` package: it works offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realpolitik.app import engine
from realpolitik.app.library import ScenarioLibrary
from realpolitik.app.requests import MAX_BODY_BYTES, Limits, draws_for, parse_body
from realpolitik.errors import ModelError, RealpolitikError, ScenarioError

#: Requests that may wait for a worker at once; more get 503 and try again.
MAX_PENDING = 64
#: Requests from one client address that may wait at once: one client never fills the queue.
MAX_PENDING_PER_CLIENT = MAX_PENDING // 2
#: Hosts the server answers to when it listens on the loopback interface.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
#: The page's files, served by name (nothing else under the package is reachable).
STATIC_FILES = {
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


@dataclass
class Settings:
    """How the dashboard runs.

    Attributes
    ----------
    library : ScenarioLibrary
        The scenarios it may read.
    limits : Limits
        The work one request may ask for.
    workers : int
        Worker processes for model work (0: threads of the server process, for tests).
    host : str
        The interface it listens on (decides which Host headers it accepts).
    batching : bool
        Run recomputations of one scenario that wait together in one job (the same answers;
        ``False``: one job per recomputation).
    """

    library: ScenarioLibrary
    limits: Limits = field(default_factory=Limits)
    workers: int = 1
    host: str = "127.0.0.1"
    batching: bool = True


def _static_dir() -> Path:
    return Path(str(resources.files("realpolitik.app") / "static"))


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _error(exc: Exception, status: int, library: ScenarioLibrary | None = None) -> JSONResponse:
    """An error answer: the message and each problem (key path, expected, got). Scenarios are
    named as the library shows them; no absolute path of the server's files is sent."""

    def shown(text: str | None) -> str | None:
        # the workers name scenarios as shown already; this is a backstop
        return text if text is None or library is None else library.without_paths(text)

    problems = []
    if isinstance(exc, ScenarioError):
        problems = [
            {
                "message": shown(p.message),
                "path": p.path,
                "expected": shown(p.expected),
                "got": shown(p.got),
            }
            for p in exc.problems
        ]
    return JSONResponse({"error": shown(str(exc)), "problems": problems}, status_code=status)


#: The most draws one job of batched recomputations runs (the dashboard's default of 200 draws:
#: 20 recomputations); a recomputation alone may have more, up to the request cap.
MAX_BATCH_DRAWS = 4_000
#: Jobs handed to each worker process at once without batching: the one it runs and the next,
#: so that a worker never waits for the server's event loop between two jobs (the rest wait in
#: the server). With batching, a worker gets its next job when it has finished the last, so that
#: the job holds every recomputation that arrived meanwhile (the wait is a millisecond or two).
JOBS_PER_WORKER = 2
#: Thread pools of numerical libraries held to one thread in the workers: there is one worker
#: per CPU already.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class _Work:
    """The pool that runs model work: a fixed set of worker processes, each with one job at a
    time (with ``batching``: recomputations of one scenario waiting together make one job) or,
    without batching, one running and one handed over, the others waiting in order of arrival;
    a job whose client has gone away (a slider moved on) is dropped unrun. Long jobs (scenario discovery: thousands of
    draws) hold at most all workers but one, so that recomputations always have a worker, and
    one client address holds at most half of the waiting places."""

    def __init__(self, workers: int, batching: bool = True) -> None:
        self.workers = workers
        self.batching = batching
        self.queue: list[_Job] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.pending = 0
        self.pending_by_client: dict[str, int] = {}
        #: Recomputations in the jobs running now, and long jobs running (see :meth:`_share`).
        self.running = 0
        self.long_running = 0
        self.pool: Executor | None = None
        self.slots: asyncio.Semaphore | None = None
        self.long_slots: asyncio.Semaphore | None = None

    def start(self) -> None:
        """Start the worker processes (or one thread) and warm them up."""
        if self.workers > 0:
            import multiprocessing
            import os

            for name in ONE_THREAD:  # inherited by the workers, which start below
                os.environ.setdefault(name, "1")
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=engine.warm_up,
            )
            # start every worker now, so that the first requests do not wait for start-up
            for future in [self.pool.submit(engine.warm_up) for _ in range(self.workers)]:
                future.result()
        else:
            self.pool = ThreadPoolExecutor(max_workers=1)

    def stop(self) -> None:
        """Stop the workers, cancelling jobs not started."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _make_slots(self) -> tuple[asyncio.Semaphore, asyncio.Semaphore]:
        """The slots (made in the server's event loop, on first use)."""
        if self.pool is None:
            self.start()
        if self.slots is None or self.long_slots is None:
            per_worker = 1 if self.batching else JOBS_PER_WORKER
            self.slots = asyncio.Semaphore(max(1, per_worker * self.workers))
            self.long_slots = asyncio.Semaphore(max(1, self.workers - 1))
        return self.slots, self.long_slots

    @contextlib.contextmanager
    def _admitted(self, request: Request) -> Iterator[None]:
        """Count a waiting request, or refuse it (:class:`_Busy`) when the queue is full or its
        client address holds half of it."""
        client = request.client.host if request.client is not None else ""
        mine = self.pending_by_client.get(client, 0)
        if self.pending >= MAX_PENDING or mine >= MAX_PENDING_PER_CLIENT:
            raise _Busy()
        self.pending += 1
        self.pending_by_client[client] = mine + 1
        try:
            yield
        finally:
            self.pending -= 1
            self.pending_by_client[client] -= 1
            if not self.pending_by_client[client]:
                del self.pending_by_client[client]

    async def run(
        self, request: Request, fn: Callable[..., Any], *args: Any, long: bool = False
    ) -> Any:
        """Run ``fn(*args)`` on a worker when a slot is free, unless the client has gone.

        A ``long`` job also waits for one of the ``workers - 1`` long-job slots (one with a
        single worker): long jobs never hold every worker.
        """
        with self._admitted(request):
            slots, long_slots = self._make_slots()
            async with long_slots if long else contextlib.nullcontext():
                async with slots:  # first come, first served
                    if await request.is_disconnected():
                        raise _Gone()
                    loop = asyncio.get_running_loop()
                    self.long_running += long
                    try:
                        return await loop.run_in_executor(self.pool, functools.partial(fn, *args))
                    finally:
                        self.long_running -= long

    async def recompute(
        self, request: Request, path: str, shown: str, edits: dict[str, Any], draws: int, seed: int
    ) -> bytes:
        """:func:`engine.recompute` of ``edits``, run in a job with the other recomputations of
        the same scenario, draws and seed waiting when a slot frees (:meth:`_run_batch`)."""
        if not self.batching:
            payload: bytes = await self.run(
                request, engine.recompute, path, shown, edits, draws, seed
            )
            return payload
        with self._admitted(request):
            self._make_slots()
            job = _Job((path, shown, draws, seed), edits, request)
            self.queue.append(job)
            task = asyncio.create_task(self._run_batch())
            self.tasks.add(task)  # held until done (the loop keeps only weak references)
            task.add_done_callback(self.tasks.discard)
            return await job.answer

    def _take(self) -> list[_Job]:
        """The oldest waiting recomputation and, in order of arrival, those that can share its
        job: same scenario, draws and seed, up to :data:`MAX_BATCH_DRAWS` draws in all, and no
        more than this worker's fair share (:meth:`_share`)."""
        if not self.queue:
            return []
        key = self.queue[0].key
        alike = sum(1 for job in self.queue if job.key == key)
        cap = min(max(1, MAX_BATCH_DRAWS // max(1, key[2])), self._share(alike))
        taken: list[_Job] = []
        rest: list[_Job] = []
        for job in self.queue:
            if job.key == key and len(taken) < cap:
                taken.append(job)
            else:
                rest.append(job)
        self.queue = rest
        return taken

    def _share(self, waiting: int) -> int:
        """How many of ``waiting`` alike recomputations one job takes: an equal share of them
        and of those the other workers are running, so that the workers' jobs stay about equal
        (a worker freed just after another has taken everything would otherwise run a job of one
        while its clients wait a whole long job; the tail of the latencies comes from that).
        Workers held by long jobs (discovery) are not counted: they take no recomputations."""
        workers = self.workers - self.long_running
        if workers <= 1:
            return waiting
        return max(1, -(-(waiting + self.running) // workers))

    async def _run_batch(self) -> None:
        """When a slot is free: run the recomputations :meth:`_take` gives in one job (nothing
        if earlier jobs took them all), dropping those whose client has gone."""
        slots, _ = self._make_slots()
        async with slots:
            jobs = []
            for job in self._take():
                if await job.request.is_disconnected():
                    job.settle(_Gone())
                else:
                    jobs.append(job)
            if not jobs:
                return
            path, shown, draws, seed = jobs[0].key
            edits = [job.edits for job in jobs]
            loop = asyncio.get_running_loop()
            call = functools.partial(engine.recompute_many, path, shown, edits, draws, seed)
            self.running += len(jobs)
            try:
                answers = await loop.run_in_executor(self.pool, call)
            except Exception as exc:  # noqa: BLE001 - every job of the batch gets the error
                answers = [exc] * len(jobs)
            finally:
                self.running -= len(jobs)
            for job, answer in zip(jobs, answers, strict=True):
                job.settle(answer)


@dataclass
class _Job:
    """A recomputation waiting for a job: what it shares with others (scenario file, shown name,
    draws, seed), its edits, its request and the future its answer is set on."""

    key: tuple[str, str, int, int]
    edits: dict[str, Any]
    request: Request
    answer: asyncio.Future[bytes] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def settle(self, answer: bytes | BaseException) -> None:
        """Set the answer (or the error) unless the request has stopped waiting."""
        if self.answer.done():
            return
        if isinstance(answer, BaseException):
            self.answer.set_exception(answer)
        else:
            self.answer.set_result(answer)


async def _read_body(request: Request) -> bytes:
    """The request's body, read no further than :data:`MAX_BODY_BYTES` (and one byte more, so
    that :func:`parse_body` can say it is too large) whatever the client sends."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return b" " * (MAX_BODY_BYTES + 1)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            break
    return b"".join(chunks)[: MAX_BODY_BYTES + 1]


class _Gone(Exception):
    """The client closed the connection before its job started."""


class _Busy(Exception):
    pass


class _Routes:
    """The dashboard's routes over one library, one set of limits and one pool of workers."""

    def __init__(self, settings: Settings) -> None:
        self.library = settings.library
        self.limits = settings.limits
        self.work = _Work(settings.workers, settings.batching)

    async def guarded(self, request: Request, handler: Callable[[Request, bytes], Any]) -> Response:
        """Read the body and run ``handler``, turning refusals into 400, 422 and 503 answers."""
        try:
            raw = await _read_body(request)
            return await handler(request, raw)
        except _Busy:
            return JSONResponse({"error": "busy: too many requests waiting; try again"}, 503)
        except _Gone:
            return Response(status_code=499)
        except ScenarioError as exc:
            return _error(exc, 400, self.library)
        except (ModelError, RealpolitikError) as exc:
            return _error(exc, 422, self.library)

    async def index(self, request: Request) -> Response:
        """The page."""
        return FileResponse(_static_dir() / "index.html", media_type="text/html")

    async def static(self, request: Request) -> Response:
        """One of the page's files, or Plotly.js from the installed package."""
        name = request.path_params["name"]
        if name == "plotly.min.js":
            return FileResponse(_plotly_js(), media_type="text/javascript")
        if name not in STATIC_FILES:
            return JSONResponse({"error": "not found"}, 404)
        return FileResponse(_static_dir() / name, media_type=STATIC_FILES[name])

    async def scenarios(self, request: Request) -> Response:
        """The scenarios this dashboard may read, and the limits of a request."""
        rows = []
        for key in self.library.keys():
            s = self.library.get(key)
            rows.append(
                {
                    "key": key,
                    "title": s.title,
                    "year": s.spec.year,
                    "realignment": s.spec.realignment is not None,
                }
            )
        return JSONResponse({"scenarios": rows, "limits": self.limits.__dict__})

    async def controls(self, request: Request) -> Response:
        """A scenario's editable numbers (with ranges and claims) and commitment choices."""
        from realpolitik.scenario.edit import commitment_choices, editable_numbers

        try:
            s = self.library.get(request.path_params["key"])
        except ScenarioError as exc:
            return _error(exc, 404, self.library)
        return JSONResponse(
            {
                "key": request.path_params["key"],
                "title": s.title,
                "unit": s.spec.unit,
                "claims": {k: c.text for k, c in s.spec.claims.items()},
                "numbers": [n.to_dict() for n in editable_numbers(s)],
                "commitments": [c.to_dict() for c in commitment_choices(s)],
            }
        )

    async def recompute(self, request: Request) -> Response:
        """The answer of an edited scenario (POST: scenario, edits, draws, seed)."""
        return await self.guarded(request, self._recompute)

    def _file(self, key: str) -> tuple[str, str]:
        """The file of scenario ``key`` and the name a browser sees for it."""
        return str(self.library.path(key)), self.library.shown(key)

    async def _recompute(self, request: Request, raw: bytes) -> Response:
        body = parse_body(raw, "recompute")
        draws = draws_for(body, self.limits)
        payload = await self.work.recompute(
            request, *self._file(body.scenario), dict(body.edits), draws, body.seed
        )
        return Response(payload, media_type="application/json")

    async def discover(self, request: Request) -> Response:
        """PRIM's boxes for a yes/no outcome of an edited scenario."""
        return await self.guarded(request, self._discover)

    async def _discover(self, request: Request, raw: bytes) -> Response:
        body = parse_body(raw, "discover")
        draws = draws_for(body, self.limits)
        payload = await self.work.run(
            request,
            engine.discover,
            *self._file(body.scenario),
            dict(body.edits),
            draws,
            body.seed,
            body.outcome,
            long=True,
        )
        return Response(payload, media_type="application/json")

    async def export(self, request: Request) -> Response:
        """The edited scenario as a YAML download."""
        return await self.guarded(request, self._export)

    async def _export(self, request: Request, raw: bytes) -> Response:
        body = parse_body(raw, "export")
        text = await self.work.run(
            request, engine.export, *self._file(body.scenario), dict(body.edits)
        )
        return Response(
            text,
            media_type="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{body.scenario}-edited.yaml"'},
        )

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Start the workers with the server and stop them with it."""
        self.work.start()
        try:
            yield
        finally:
            self.work.stop()


#: Headers on every answer.
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)


class SecurityHeaders:
    """ASGI middleware that adds :data:`SECURITY_HEADERS` to every HTTP answer (a plain ASGI
    wrapper: no per-request task or body buffering, unlike a ``BaseHTTPMiddleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the start of the answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                headers = [(k, v) for k, v in message.get("headers", []) if k not in names]
                message = {**message, "headers": [*headers, *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings) -> Starlette:
    """The dashboard application for ``settings`` (serve it with uvicorn, or test it directly)."""
    routes = _Routes(settings)
    loopback = settings.host in ("127.0.0.1", "localhost", "::1")
    allowed = list(LOOPBACK_HOSTS) if loopback else ["*"]
    return Starlette(
        routes=[
            Route("/", routes.index),
            Route("/static/{name}", routes.static),
            Route("/api/scenarios", routes.scenarios),
            Route("/api/scenarios/{key}/controls", routes.controls),
            Route("/api/recompute", routes.recompute, methods=["POST"]),
            Route("/api/discover", routes.discover, methods=["POST"]),
            Route("/api/export", routes.export, methods=["POST"]),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed),
        ],
        lifespan=routes.lifespan,
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on ``host`` now (for tests and ``--port 0``)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def serve(settings: Settings, port: int, on_ready: Callable[[str], None] | None = None) -> None:
    """Run the dashboard until interrupted (uvicorn, one server process, ``settings.workers``)."""
    import uvicorn

    app = create_app(settings)
    url_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    url = f"http://{url_host}:{port}/"
    config = uvicorn.Config(app, host=settings.host, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)

    if on_ready is not None:
        original = server.startup

        async def startup(sockets: Any = None) -> None:
            """Uvicorn's start-up, then ``on_ready`` with the address."""
            await original(sockets=sockets)
            on_ready(url)

        server.startup = startup  # type: ignore[method-assign]
    server.run()


def dumps(data: Any) -> str:
    """JSON for the page (kept here so tests can compare what the browser receives)."""
    return json.dumps(data, allow_nan=False)
