"""The MCP session with the client, on our stdin/stdout: the supervisor's own, routed by hand.

The front answers `initialize`, `ping`, every list call, `prompts/get` and the static documents
at once from the surface data, whatever state the workers are in. `tools/call` and
`resources/read` go to a worker through the relay (`Backend`); the worker's answer is written
back as the bytes it sent with the client's id put in, not even decoded. Params of
every request are checked against the protocol's own models (`mcp_types`), in the order the
SDK's server checks them, before anything is done with them.

Both revisions of MCP are spoken. The handshake revisions (2024-11-05 ... 2025-11-25) start
with `initialize`. 2026-07-28 has no session: `server/discover` and every request that carries
the version, the client's capabilities (and info) in `_meta` are served as they come, before or
without an `initialize`; its results carry `resultType` (lists and reads `ttlMs` and
`cacheScope` too), log messages reach it only for a request that asks (`_meta` logLevel), an
unknown version is answered -32022, and the methods it dropped (ping, logging/setLevel, ...)
-32601. The pipe to the workers stays on the handshake revision: the 2026-07-28 `_meta` keys
are taken out of what goes there, and `resultType` is put into what comes back, still without
decoding the worker's answer.

Governed writes are confirmed by the human in the client when it can ask (supervisor/confirm.py,
OE_MCP_CONFIRM).

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
from mcp_types import (
    CLIENT_CAPABILITIES_META_KEY,
    CLIENT_INFO_META_KEY,
    DEFAULT_NEGOTIATED_VERSION,
    LOG_LEVEL_META_KEY,
    PROTOCOL_VERSION_META_KEY,
    SERVER_INFO_META_KEY,
    UNSUPPORTED_PROTOCOL_VERSION,
)
from mcp_types.version import (
    HANDSHAKE_PROTOCOL_VERSIONS,
    KNOWN_PROTOCOL_VERSIONS,
    LATEST_HANDSHAKE_VERSION,
    MODERN_PROTOCOL_VERSIONS,
)
from pydantic import ValidationError

from shared import __version__
from shared.framing import NotJson, OversizedLine, decode, encode, read_lines, send_whole
from shared.protocol import error_result
from shared.redaction import clip, quoted
from shared.surface import PromptArgumentsError, Surface
from supervisor import messages
from supervisor.confirm import INPUT_KEY, Confirmer, StateRejected, can_ask
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
# 2026-07-28: how long a client may keep what the front answers from the surface data (fixed for
# the life of the process), and what is read from OvalEdge through a worker (never kept).
SURFACE_TTL_MS = 3_600_000
RELAYED_TTL_MS = 0
# Methods 2026-07-28 dropped: a request of that revision naming one is answered -32601.
DROPPED_IN_MODERN = {"initialize", "ping", "logging/setLevel", "resources/subscribe",
                     "resources/unsubscribe"}
MODERN_META_KEYS = (PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY,
                    LOG_LEVEL_META_KEY)
CURRENT_READ_SECONDS = 10.0  # reading the object's values now, for the question: else left out
STATE_REFUSED = "Invalid or expired requestState: {reason}; nothing was written"
ELICIT_ONLY = ("{name}: nothing was written. This server is set to write only what the user "
               "approves in the client (OE_MCP_CONFIRM=elicit), and this client cannot ask the user "
               "(it declares no form elicitation). Use a client that supports elicitation, or ask "
               "the administrator to set OE_MCP_CONFIRM=auto.")
# The client methods of the handshake-era protocol, each with the model its params are checked
# against. (The SDK's `mcp_types.methods` keys the same models by protocol version, and brings
# in the stateless era's types too: a quarter of a second of start-up for versions we do not
# speak.)
CLIENT_REQUESTS: dict[str, type[types.Request]] = {
    "initialize": types.InitializeRequest,
    "server/discover": types.DiscoverRequest,
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
        self.client_capabilities: dict[str, Any] = {}  # declared in `initialize`
        self._levels: dict[tuple[bool, RequestId], str] = {}  # 2026-07-28 requests' log levels
        self._questions: dict[str, list[Any]] = {}  # our elicitation id -> [event, answer]
        self._confirmer: Confirmer | None = None
        self._calls: dict[tuple[bool, RequestId], trio.CancelScope] = {}  # by the client's id
        self._ids = itertools.count(1)
        self._asked: dict[str, tuple[WorkerProcess, Any]] = {}  # our id -> (worker, its id)
        self._handlers = {
            "initialize": self._initialize,
            "server/discover": self._discover,
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
        modern = modern_version(request.params) is not None
        if modern or request.method == "server/discover":
            self.greeted.set()  # no handshake to wait for: the backend may start
        if request.method in ("tools/call", "resources/read") and (self.phase is Phase.SERVING or modern):
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
        level = _meta_of(request.params).get(LOG_LEVEL_META_KEY)
        key = messages.id_key(request.id)
        if level in LOG_LEVELS and modern_version(request.params) is not None:
            self._levels[key] = level  # its log messages are wanted while it runs
        try:
            line = await self._handle(request)
        except Refused as refused:
            line = messages.dump(types.JSONRPCError(jsonrpc="2.0", id=request.id, error=refused.error))
        except Exception:  # a bug must not cost the connection, nor reach the client as text
            log.exception("internal error handling a %s request", request.method)
            line = messages.dump(messages.error(request.id, types.INTERNAL_ERROR,
                                                INTERNAL_ERROR.format(method=clip(request.method, 80))))
        finally:
            self._levels.pop(key, None)
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
        meta = _meta_of(params)
        version = meta.get(PROTOCOL_VERSION_META_KEY)
        if version is not None and version not in KNOWN_PROTOCOL_VERSIONS:
            raise Refused(UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version",
                          {"supported": list(KNOWN_PROTOCOL_VERSIONS), "requested": clip(str(version), 100)})
        if version in MODERN_PROTOCOL_VERSIONS:
            if method in DROPPED_IN_MODERN:
                raise Refused(types.METHOD_NOT_FOUND, f"Method not found: {method} is not part of "
                              f"protocol version {version}", method)
            if method != "server/discover" and not isinstance(meta.get(CLIENT_CAPABILITIES_META_KEY), dict):
                raise Refused(types.INVALID_PARAMS, "Invalid request parameters: _meta."
                              f"{CLIENT_CAPABILITIES_META_KEY}: required in protocol version {version}")
        elif self.phase is Phase.AWAITING_INITIALIZE and method not in ("initialize", "ping",
                                                                         "server/discover"):
            raise Refused(types.INVALID_PARAMS, NOT_INITIALIZED)
        return await handler(request.id, params or {})

    # -- the front's own answers ------------------------------------------------------------------
    async def _initialize(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        requested = params.get("protocolVersion")
        self.version = requested if requested in HANDSHAKE_PROTOCOL_VERSIONS else LATEST_HANDSHAKE_VERSION
        capabilities = params.get("capabilities")
        self.client_capabilities = capabilities if isinstance(capabilities, dict) else {}
        self.phase = Phase.SERVING
        return messages.result_line(request_id, types.InitializeResult(
            protocol_version=self.version,
            capabilities=CAPABILITIES,
            server_info=types.Implementation(name=self.surface.name, version=__version__),
            instructions=self.surface.instructions,
        ))

    async def _discover(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        """2026-07-28's `server/discover`, from the surface data: no worker, no session."""
        return messages.result_line(request_id, types.DiscoverResult(
            supported_versions=[*MODERN_PROTOCOL_VERSIONS, *HANDSHAKE_PROTOCOL_VERSIONS],
            capabilities=CAPABILITIES,
            instructions=self.surface.instructions,
            result_type="complete",
            ttl_ms=SURFACE_TTL_MS,
            cache_scope="public",
            _meta={SERVER_INFO_META_KEY: {"name": self.surface.name, "version": __version__}},
        ))

    async def _ping(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        return messages.result_line(request_id, {})

    def _list(self, result):
        """A list call's answer: one page (the surface is small), built once."""
        wire: list[dict[str, Any]] = []

        async def answer(request_id: RequestId, params: dict[str, Any]) -> bytes:
            if not wire:
                listed = result().model_dump(by_alias=True, mode="json", exclude_none=True)
                wire.append(listed)
                wire.append({**listed, **cacheable(SURFACE_TTL_MS, "public")})
            return messages.result_line(request_id, wire[1] if modern_version(params) else wire[0])

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
        if modern_version(params):
            return messages.result_line(request_id, {**prompt.model_dump(
                by_alias=True, mode="json", exclude_none=True), "resultType": "complete"})
        return messages.result_line(request_id, prompt)

    async def _set_level(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        self.min_level = params["level"]
        return messages.result_line(request_id, {})

    # -- what goes to a worker --------------------------------------------------------------------
    async def _call_tool(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        modern = modern_version(params) is not None
        if params["name"] not in self.surface.tool_names:
            return self._result(request_id, error_result(self.surface.not_served(params["name"])), modern)
        relay = await self.backend.relay()
        if isinstance(relay, str):  # the settings are wrong: the text says what to fix
            return self._result(request_id, error_result(relay), modern)
        name, arguments = params["name"], params.get("arguments")
        settings = getattr(self.backend, "settings", None)
        mode = settings.oe_mcp_confirm if settings is not None else "auto"
        if modern and params.get("requestState") is not None:
            return await self._answered(request_id, params, relay)
        confirmer = self._confirm()
        if mode != "token" and confirmer is not None and confirmer.governed(name, arguments):
            capabilities = _meta_of(params).get(CLIENT_CAPABILITIES_META_KEY) if modern \
                else self.client_capabilities
            if can_ask(capabilities):
                if modern:
                    return await self._ask_later(request_id, params, relay)
                return await self._ask_now(request_id, params, relay)
            if mode == "elicit":
                return self._result(request_id, error_result(
                    ELICIT_ONLY.format(name=name), confirmation="refused", written=False), modern)
        return self._relayed(request_id, await relay.call_tool(for_worker(params)), modern)

    # -- governed writes confirmed by the human (supervisor/confirm.py) ---------------------------
    def _confirm(self) -> Confirmer | None:
        if self._confirmer is None:
            from shared.worker_env import CONFIRM_KEY_ENV

            key = (getattr(self.backend, "worker_env", None) or {}).get(CONFIRM_KEY_ENV)
            if not key:
                return None
            self._confirmer = Confirmer(self.surface, bytes.fromhex(key))
        return self._confirmer

    def _answer_timeout(self) -> float:
        settings = getattr(self.backend, "settings", None)
        return settings.oe_mcp_confirm_timeout_seconds if settings is not None else 300.0

    async def _preview(self, params: dict[str, Any], relay: Any) -> tuple[Any, dict[str, Any] | None]:
        """The worker's answer to the call as a preview, and the preview in it (None: not one)."""
        confirmer = self._confirm()
        assert confirmer is not None
        answer = await relay.call_tool(for_worker(confirmer.preview_params(params)))
        result = answer.result if isinstance(answer, Reply) else None
        return answer, confirmer.preview_of(result)

    async def _current(self, preview: dict[str, Any], relay: Any) -> dict[str, Any] | None:
        """The object an update changes, as OvalEdge has it now (for "before -> after" and its
        link), read through `asset_details`; None when there is no one object or the read fails."""
        confirmer = self._confirm()
        target = confirmer.target_of(preview) if confirmer is not None else None
        if target is None or "asset_details" not in self.surface.tool_names:
            return None
        with trio.move_on_after(CURRENT_READ_SECONDS):
            answer = await relay.call_tool({"name": "asset_details", "arguments": {
                "object_id": target["objectId"], "object_type": str(target["objectType"]).lower()}})
            result = answer.result if isinstance(answer, Reply) else None
            data = (result or {}).get("structuredContent") if not (result or {}).get("isError") else None
            details = ((data or {}).get("data") or {}).get("details") if isinstance(data, dict) else None
            return details if isinstance(details, dict) else None
        return None

    async def _ask_now(self, request_id: RequestId, params: dict[str, Any], relay: Any) -> bytes:
        """Handshake revision: preview, ask the human with `elicitation/create`, write on yes."""
        confirmer = self._confirm()
        assert confirmer is not None
        name, arguments = params["name"], params.get("arguments")
        answer, preview = await self._preview(params, relay)
        if preview is None:  # an error, a picker step: the caller sees it as it is
            return self._relayed(request_id, answer, False)
        question = confirmer.question(name, preview, await self._current(preview, relay))
        if self.version < "2025-11-25":
            question.pop("mode")  # the field came with 2025-11-25; before, every form is one
        outcome = confirmer.outcome(await self._ask_client(question, self._answer_timeout()))
        if outcome != "accepted":
            log.info("%s: not written (%s)", name, outcome)
            return self._result(request_id, confirmer.not_written(name, outcome, arguments), False)
        confirmed = confirmer.confirmed_params(confirmer.preview_params(params), preview["confirmationToken"])
        return self._relayed(request_id, await relay.call_tool(for_worker(confirmed)), False)

    async def _ask_client(self, question: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """Send the client an `elicitation/create`; its answer's result, or None (no answer in
        `timeout`, an error, or the call was cancelled: then the question is withdrawn)."""
        ours = f"oe-mcp-ask-{next(self._ids)}"
        waiting: list[Any] = [trio.Event(), None]
        self._questions[ours] = waiting
        answered = False
        try:
            await self.wire.send(encode({"jsonrpc": "2.0", "id": ours, "method": "elicitation/create",
                                         "params": question}))
            with trio.move_on_after(timeout):
                await waiting[0].wait()
                answered = True
        finally:
            self._questions.pop(ours, None)
            if not answered:
                with trio.CancelScope(shield=True):
                    await self.wire.send(messages.dump(types.JSONRPCNotification(
                        jsonrpc="2.0", method="notifications/cancelled",
                        params={"requestId": ours, "reason": "the question is no longer asked"})))
        response = waiting[1] or {}
        result = response.get("result")
        return result if isinstance(result, dict) else None

    async def _ask_later(self, request_id: RequestId, params: dict[str, Any], relay: Any) -> bytes:
        """2026-07-28: preview, then an InputRequiredResult with the question and a sealed state."""
        confirmer = self._confirm()
        assert confirmer is not None
        name, arguments = params["name"], params.get("arguments")
        answer, preview = await self._preview(params, relay)
        if preview is None:
            return self._relayed(request_id, answer, True)
        state = confirmer.seal(name, arguments, preview["confirmationToken"], self._answer_timeout())
        return messages.result_line(request_id, {
            "resultType": "input_required",
            "inputRequests": {INPUT_KEY: {"method": "elicitation/create", "params": confirmer.question(
                name, preview, await self._current(preview, relay))}},
            "requestState": state,
        })

    async def _answered(self, request_id: RequestId, params: dict[str, Any], relay: Any) -> bytes:
        """2026-07-28: the retried call with the human's answer and our state. The state is
        checked and spent first; on yes, the preview must still be the body the human saw."""
        confirmer = self._confirm()
        if confirmer is None:
            raise Refused(types.INVALID_PARAMS, STATE_REFUSED.format(reason="no state is expected"))
        name, arguments = params["name"], params.get("arguments")
        try:
            claims = confirmer.open(params["requestState"], name, arguments)
        except StateRejected as exc:
            log.warning("requestState refused on %s: %s", name, exc)
            raise Refused(types.INVALID_PARAMS, STATE_REFUSED.format(reason=exc),
                          {"reason": "invalid_request_state"}) from None
        confirmer.spend(claims)
        outcome = confirmer.outcome((params.get("inputResponses") or {}).get(INPUT_KEY))
        if outcome != "accepted":
            log.info("%s: not written (%s)", name, outcome)
            return self._result(request_id, confirmer.not_written(name, outcome, arguments), True)
        answer, preview = await self._preview(params, relay)
        if preview is None or not confirmer.same_body(claims, preview["confirmationToken"]):
            if preview is None and isinstance(answer, Reply) and answer.failed:
                return self._relayed(request_id, answer, True)
            return self._result(request_id, error_result(
                f"{name}: nothing was written: the change is no longer the one the user approved "
                "(OvalEdge or the arguments changed since). Call again to ask anew.",
                confirmation="changed", written=False), True)
        confirmed = confirmer.confirmed_params(confirmer.preview_params(params), preview["confirmationToken"])
        return self._relayed(request_id, await relay.call_tool(for_worker(confirmed)), True)

    async def _read_resource(self, request_id: RequestId, params: dict[str, Any]) -> bytes:
        modern = modern_version(params) is not None
        document = self.surface.read_document(params["uri"])  # static: no worker needed
        if document is not None:
            if modern:
                return messages.result_line(request_id, {**document.model_dump(
                    by_alias=True, mode="json", exclude_none=True), **cacheable(SURFACE_TTL_MS, "public")})
            return messages.result_line(request_id, document)
        relay = await self.backend.relay()
        if isinstance(relay, str):
            raise Refused(types.INTERNAL_ERROR, relay)
        answer = await relay.read_resource(for_worker(params))
        if modern and isinstance(answer, Reply):
            return stamped(messages.with_id(answer, request_id), cacheable(RELAYED_TTL_MS, "private"))
        return self._relayed(request_id, answer, False)

    @staticmethod
    def _result(request_id: RequestId, result: types.CallToolResult, modern: bool) -> bytes:
        if modern:
            return messages.result_line(request_id, {**result.model_dump(
                by_alias=True, mode="json", exclude_none=True), "resultType": "complete"})
        return messages.result_line(request_id, result)

    @staticmethod
    def _relayed(request_id: RequestId, answer: Reply | types.CallToolResult | types.ErrorData,
                 modern: bool = False) -> bytes:
        if isinstance(answer, Reply):
            line = messages.with_id(answer, request_id)
            return stamped(line, {"resultType": "complete"}) if modern else line
        if isinstance(answer, types.ErrorData):
            return messages.dump(types.JSONRPCError(jsonrpc="2.0", id=request_id, error=answer))
        return Front._result(request_id, answer, modern)

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
        question = self._questions.get(response.id) if isinstance(response.id, str) else None
        if question is not None:  # the human's answer to a question of ours
            question[1] = response.message
            question[0].set()
            return
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
        """At the session's level (handshake revisions, once initialized), or at the level of a
        2026-07-28 request in progress that asked for log messages."""
        if level not in LOG_LEVELS:
            return False
        wanted = [self.min_level] if self.phase is Phase.SERVING else []
        wanted += self._levels.values()
        return any(LOG_LEVELS.index(level) >= LOG_LEVELS.index(least) for least in wanted)

    async def notify(self, level: str, message: str) -> None:
        """An MCP log notification to the client (once it is initialized, at its level; or while
        a 2026-07-28 request that asked for them runs)."""
        if not self._wanted(level):
            return
        await self.wire.send(messages.dump(types.JSONRPCNotification(
            jsonrpc="2.0", method="notifications/message",
            params=types.LoggingMessageNotificationParams(
                level=level, logger="oe-mcp-local", data=message).model_dump(
                by_alias=True, mode="json", exclude_none=True),
        )))


def _meta_of(params: Any) -> dict[str, Any]:
    meta = params.get("_meta") if isinstance(params, dict) else None
    return meta if isinstance(meta, dict) else {}


def modern_version(params: Any) -> str | None:
    """The 2026-07-28 revision a request names in its `_meta`, or None (a handshake request)."""
    version = _meta_of(params).get(PROTOCOL_VERSION_META_KEY)
    return version if version in MODERN_PROTOCOL_VERSIONS else None


def cacheable(ttl_ms: int, scope: str) -> dict[str, Any]:
    return {"resultType": "complete", "ttlMs": ttl_ms, "cacheScope": scope}


def for_worker(params: dict[str, Any]) -> dict[str, Any]:
    """A call's params as the worker's pipe (handshake revision) takes them: without the
    2026-07-28 `_meta` keys and retry fields (the progress token and anything else kept)."""
    meta = params.get("_meta")
    if not isinstance(meta, dict) and "requestState" not in params and "inputResponses" not in params:
        return params
    out = {k: v for k, v in params.items() if k not in ("requestState", "inputResponses", "_meta")}
    if isinstance(meta, dict):
        kept = {k: v for k, v in meta.items() if k not in MODERN_META_KEYS}
        if kept:
            out["_meta"] = kept
    return out


def stamped(line: bytes, members: dict[str, Any]) -> bytes:
    """An answer line with `members` put first into its result, without decoding the rest
    (an error answer is left as it is)."""
    head, found, rest = line.partition(b',"result":{')
    if not found or not head.startswith(b'{"jsonrpc":"2.0","id":'):
        message = decode(line)
        if isinstance(message, dict) and isinstance(message.get("result"), dict):
            return encode({**message, "result": {**members, **message["result"]}})
        return line
    inserted = encode(members).rstrip(b"\n")[1:-1]
    joiner = b"" if rest.startswith(b"}") else b","
    return head + found + inserted + joiner + rest


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
