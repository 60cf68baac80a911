"""The MCP session with the client, on our stdin/stdout: the supervisor's own, routed by hand.

The front answers `initialize`, `ping`, every list call, `prompts/get` and the static documents
at once from the surface data, whatever state the workers are in. `tools/call` and
`resources/read` go to a worker through the relay (`Backend`); the worker's answer is written
back as the bytes it sent with the client's id put in, not even decoded. Params of
every request are checked against the protocol's own models (`mcp_types`), in the order the
SDK's server checks them, before anything is done with them.

Ids: a call reaches a worker under an id of the supervisor's (worker_link.py); the client's
`notifications/cancelled` finds its call by the client's id and cancels it, which cancels it in
the worker. Whatever a worker sends besides answers is passed on: progress as is (its token is
the client's own), log messages at the client's level, and a request of its own under an id of
ours, whose answer goes back to that worker under its id.
"""

from __future__ import annotations

import itertools
import logging
from enum import Enum, auto
from typing import TYPE_CHECKING, Any

import mcp_types as types
import trio
from mcp_types import DEFAULT_NEGOTIATED_VERSION
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_HANDSHAKE_VERSION
from pydantic import ValidationError

from shared import __version__
from shared.framing import NotJson, OversizedLine, decode, encode, read_lines, send_whole
from shared.protocol import error_result
from shared.redaction import clip, quoted
from shared.surface import PromptArgumentsError, Surface
from supervisor import messages
from supervisor.messages import Notification, Refusal, Request, RequestId, Response
from supervisor.worker_link import LinkClosed, Reply

if TYPE_CHECKING:
    from supervisor.backend import Backend
    from supervisor.worker_process import WorkerProcess

log = logging.getLogger("oe-mcp-local")

LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
# The SDK's server words a request before `initialize` as "Invalid request parameters"; ours says
# what to do.
NOT_INITIALIZED = ("Not initialized: send initialize (then notifications/initialized) before "
                   "any other request")
INTERNAL_ERROR = ("Internal error: the server failed to handle this {method} request; the "
                  "details are in its log (stderr). The connection is fine; other requests work.")
PROBLEMS_SHOWN = 3
# The client methods of the handshake-era protocol, each with the model its params are checked
# against. (The SDK's `mcp_types.methods` keys the same models by protocol version, and brings
# in the stateless era's types too: a quarter of a second of start-up for versions we do not
# speak.)
CLIENT_REQUESTS: dict[str, type[types.Request]] = {
    "initialize": types.InitializeRequest,
    "ping": types.PingRequest,
    "tools/list": types.ListToolsRequest,
    "tools/call": types.CallToolRequest,
    "resources/list": types.ListResourcesRequest,
    "resources/templates/list": types.ListResourceTemplatesRequest,
    "resources/read": types.ReadResourceRequest,
    "resources/subscribe": types.SubscribeRequest,
    "resources/unsubscribe": types.UnsubscribeRequest,
    "prompts/list": types.ListPromptsRequest,
    "prompts/get": types.GetPromptRequest,
    "logging/setLevel": types.SetLevelRequest,
    "completion/complete": types.CompleteRequest,
}
CLIENT_NOTIFICATIONS: dict[str, type[types.Notification]] = {
    "notifications/initialized": types.InitializedNotification,
    "notifications/cancelled": types.CancelledNotification,
    "notifications/progress": types.ProgressNotification,
    "notifications/roots/list_changed": types.RootsListChangedNotification,
}
CAPABILITIES = types.ServerCapabilities(
    prompts=types.PromptsCapability(list_changed=False),
    resources=types.ResourcesCapability(subscribe=False, list_changed=False),
    tools=types.ToolsCapability(list_changed=False),
    logging={},
)


class Phase(Enum):
    """Where the client's session is; it only moves forward."""

    AWAITING_INITIALIZE = auto()  # only initialize and ping are served
    SERVING = auto()  # initialize answered


class Refused(Exception):
    """A request answered with a JSON-RPC error."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.error = types.ErrorData(code=code, message=message, data=data)


class ClientWire:
    """Our stdout towards the client: whole lines, one writer at a time."""

    def __init__(self, stream: trio.abc.SendStream):
        self._stream = stream
        self._lock = trio.Lock()
        self.gone = False  # the client stopped reading: nothing more can reach it

    async def send(self, line: bytes) -> None:
        if self.gone:
            return
        try:
            await send_whole(self._stream, self._lock, line)
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            self.gone = True


class Front:
    def __init__(self, surface: Surface, backend: Backend, wire: ClientWire):
        self.surface = surface
        self.backend = backend
        self.wire = wire
        self.phase = Phase.AWAITING_INITIALIZE
        self.greeted = trio.Event()  # the first initialize is answered
        self.version = DEFAULT_NEGOTIATED_VERSION
        self.min_level = "info"
        self._calls: dict[tuple[bool, RequestId], trio.CancelScope] = {}  # by the client's id
        self._ids = itertools.count(1)
        self._asked: dict[str, tuple[WorkerProcess, Any]] = {}  # our id -> (worker, its id)
        self._handlers = {
            "initialize": self._initialize,
            "ping": self._ping,
            "tools/list": self._list(lambda: surface.tools_result),
            "resources/list": self._list(lambda: surface.resources_result),
            "resources/templates/list": self._list(lambda: surface.resource_templates_result),
            "prompts/list": self._list(lambda: surface.prompts_result),
            "prompts/get": self._get_prompt,
            "logging/setLevel": self._set_level,
            "tools/call": self._call_tool,
            "resources/read": self._read_resource,
        }

    # -- reading the client ---------------------------------------------------------------------
    async def serve(self, stream: trio.abc.ReceiveStream, nursery: trio.Nursery) -> None:
        """Read the client's lines until EOF. Calls that go to a worker run in `nursery` (the
        caller's, which it closes after this returns); everything else is answered in order."""
        async for line in read_lines(stream):
            if isinstance(line, OversizedLine):
                await self._refuse(messages.oversized(line))
                continue
            try:
                inbound = messages.classify(decode(line))
            except NotJson:
                inbound = messages.not_json()
            if isinstance(inbound, Refusal):
                await self._refuse(inbound)
            elif isinstance(inbound, Request):
                await self._take_request(inbound, nursery)
            elif isinstance(inbound, Notification):
                await self._take_notification(inbound)
            elif isinstance(inbound, Response):
                await self._take_response(inbound)

    async def _refuse(self, refusal: Refusal) -> None:
        if refusal.answer is not None:
            await self.wire.send(messages.dump(refusal.answer))

    async def _take_request(self, request: Request, nursery: trio.Nursery) -> None:
        if request.method in ("tools/call", "resources/read") and self.phase is Phase.SERVING:
            scope = trio.CancelScope()
            self._calls[messages.id_key(request.id)] = scope
            nursery.start_soon(self._answer_in, request, scope)
        else:
            await self._answer(request)
            if request.method == "initialize":
                self.greeted.set()

    async def _answer_in(self, request: Request, scope: trio.CancelScope) -> None:
        try:
            with scope:
                await self._answer(request)
        finally:
            if self._calls.get(messages.id_key(request.id)) is scope:
                del self._calls[messages.id_key(request.id)]

    async def _answer(self, request: Request) -> None:
        try:
            line = await self._handle(request)
        except Refused as refused:
            line = messages.dump(types.JSONRPCError(jsonrpc="2.0", id=request.id, error=refused.error))
        except Exception:  # a bug must not cost the connection, nor reach the client as text
            log.exception("internal error handling a %s request", request.method)
            line = messages.dump(messages.error(request.id, types.INTERNAL_ERROR,
                                                INTERNAL_ERROR.format(method=clip(request.method, 80))))
        await self.wire.send(line)

    async def _handle(self, request: Request) -> bytes:
        """The answer line, in the order the SDK's server decides: a spec method's params are
        checked first; then initialize; then methods we do not serve; then the handshake gate."""
        method, params = request.method, request.params
        model = CLIENT_REQUESTS.get(method)
        if model is not None:
            try:
                model.model_validate(_envelope(method, params, request_id=0), by_name=False)
            except ValidationError as exc:
                raise Refused(types.INVALID_PARAMS, _invalid_params(exc)) from None
        handler = self._handlers.get(method)
        if handler is None:
            raise Refused(types.METHOD_NOT_FOUND, "Method not found", clip(method, 200))
        if self.phase is Phase.AWAITING_INITIALIZE and method not in ("initialize", "ping"):
            raise Refused(types.INVALID_PARAMS, NOT_INITIALIZED)
        return await handler(request.id, params or {})

    # -- the front's own answers ------------------------------------------------------------------
    async def _initialize(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        requested = params.get("protocolVersion")
        self.version = requested if requested in HANDSHAKE_PROTOCOL_VERSIONS else LATEST_HANDSHAKE_VERSION
        self.phase = Phase.SERVING
        return messages.result_line(request_id, types.InitializeResult(
            protocol_version=self.version,
            capabilities=CAPABILITIES,
            server_info=types.Implementation(name=self.surface.name, version=__version__),
            instructions=self.surface.instructions,
        ))

    async def _ping(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        return messages.result_line(request_id, {})

    def _list(self, result):
        """A list call's answer: one page (the surface is small), built once."""
        wire: list[dict[str, Any]] = []

        async def answer(request_id: RequestId, params: dict[str, Any]) -> bytes:
            if not wire:
                wire.append(result().model_dump(by_alias=True, mode="json", exclude_none=True))
            return messages.result_line(request_id, wire[0])

        return answer

    async def _get_prompt(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        name = params["name"]
        try:
            prompt = self.surface.get_prompt(name, params.get("arguments"))
        except KeyError:
            raise Refused(types.INVALID_PARAMS, f"unknown prompt {quoted(name)}; available: "
                          f"{', '.join(self.surface.prompt_names)}") from None
        except PromptArgumentsError as exc:
            raise Refused(types.INVALID_PARAMS, str(exc)) from None
        return messages.result_line(request_id, prompt)

    async def _set_level(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        self.min_level = params["level"]
        return messages.result_line(request_id, {})

    # -- what goes to a worker --------------------------------------------------------------------
    async def _call_tool(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        if params["name"] not in self.surface.tool_names:
            return messages.result_line(request_id, error_result(self.surface.not_served(params["name"])))
        relay = await self.backend.relay()
        if isinstance(relay, str):  # the settings are wrong: the text says what to fix
            return messages.result_line(request_id, error_result(relay))
        return self._relayed(request_id, await relay.call_tool(params))

    async def _read_resource(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        document = self.surface.read_document(params["uri"])  # static: no worker needed
        if document is not None:
            return messages.result_line(request_id, document)
        relay = await self.backend.relay()
        if isinstance(relay, str):
            raise Refused(types.INTERNAL_ERROR, relay)
        return self._relayed(request_id, await relay.read_resource(params))

    @staticmethod
    def _relayed(request_id: RequestId, answer: Reply | types.CallToolResult | types.ErrorData) -> bytes:
        if isinstance(answer, Reply):
            return messages.with_id(answer, request_id)
        if isinstance(answer, types.ErrorData):
            return messages.dump(types.JSONRPCError(jsonrpc="2.0", id=request_id, error=answer))
        return messages.result_line(request_id, answer)

    # -- notifications and answers from the client ------------------------------------------------
    async def _take_notification(self, notification: Notification) -> None:
        method, params = notification.method, notification.params
        model = CLIENT_NOTIFICATIONS.get(method)
        if model is not None:
            try:
                model.model_validate(_envelope(method, params), by_name=False)
            except ValidationError:
                log.debug("dropped a malformed %s notification", method)
                return
        if method == "notifications/cancelled":
            scope = self._calls.get(messages.id_key((params or {}).get("requestId")))
            if scope is not None:  # the call, if still running, is cancelled in the worker too
                scope.cancel()

    async def _take_response(self, response: Response) -> None:
        asked = self._asked.pop(response.id, None) if isinstance(response.id, str) else None
        if asked is None:
            return  # an answer to nothing we asked
        worker, worker_id = asked
        body = {key: response.message[key] for key in ("result", "error") if key in response.message}
        if worker.link is not None:
            try:
                await worker.link.answer(worker_id, body)
            except LinkClosed:
                pass  # that worker is gone; so is the request

    # -- what workers send besides answers, and our own reports -----------------------------------
    async def from_worker(self, worker: WorkerProcess, message: dict[str, Any], line: bytes) -> None:
        method = message.get("method")
        if "id" in message:  # a request of the worker's to the client: under an id of ours
            ours = f"oe-mcp-{next(self._ids)}"
            self._asked[ours] = (worker, message["id"])
            await self.wire.send(encode({**message, "id": ours}))
        elif method == "notifications/progress":  # as written (`line` comes without its newline)
            await self.wire.send(line + b"\n")
        elif method == "notifications/message":
            level = (message.get("params") or {}).get("level")
            if self._wanted(level):
                await self.wire.send(line + b"\n")
        else:  # list_changed and the like: the surface is fixed and served by the front
            log.debug("not passed on: %s from worker %s", clip(str(method), 80), worker.pid)

    def _wanted(self, level: Any) -> bool:
        return level in LOG_LEVELS and LOG_LEVELS.index(level) >= LOG_LEVELS.index(self.min_level)

    async def notify(self, level: str, message: str) -> None:
        """An MCP log notification to the client (once it is initialized, at its level)."""
        if self.phase is not Phase.SERVING or not self._wanted(level):
            return
        await self.wire.send(messages.dump(types.JSONRPCNotification(
            jsonrpc="2.0", method="notifications/message",
            params=types.LoggingMessageNotificationParams(
                level=level, logger="oe-mcp-local", data=message).model_dump(
                by_alias=True, mode="json", exclude_none=True),
        )))


def _envelope(method: str, params: dict[str, Any] | None, request_id: int | None = None) -> dict[str, Any]:
    """The message as the models read it: an `id` for a request, `params` only when sent."""
    body: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if request_id is not None:
        body["id"] = request_id
    if params is not None:
        body["params"] = params
    return body


def _invalid_params(exc: ValidationError) -> str:
    """Which params are wrong, in pydantic's words but never with the values sent."""
    problems = [f"{'.'.join(str(p) for p in error['loc'][1:]) or 'params'}: {error['msg']}"
                for error in exc.errors()[:PROBLEMS_SHOWN]]
    return clip("Invalid request parameters: " + "; ".join(problems), 500)
