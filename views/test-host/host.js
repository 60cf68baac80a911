// A test host, as an MCP Apps host renders a view: the view's HTML in a sandboxed iframe (scripts
// only: opaque origin, no network, no popups), talking to the host over postMessage through the
// ext-apps SDK's AppBridge. The browser test calls window.mountView(...) with the view's HTML and
// a real tool result, then reads what the view drew; window.hostLog records what the view asked.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

window.hostLog = { initialized: false, openedLinks: [], sizes: [], logs: [], errors: [] };

window.mountView = async ({ html, tool, args, result, theme, width }) => {
  document.documentElement.dataset.theme = theme;
  const box = document.getElementById("frame-box");
  const iframe = document.createElement("iframe");
  iframe.setAttribute("sandbox", "allow-scripts");
  iframe.setAttribute("title", `${tool} view`);
  iframe.style.width = `${width}px`;
  iframe.style.height = "120px";
  iframe.srcdoc = html;
  box.replaceChildren(iframe);

  const bridge = new AppBridge(null, { name: "ovaledge-test-host", version: "1.0.0" },
    { openLinks: {}, logging: {} },
    { hostContext: { theme, displayMode: "inline", platform: "desktop", locale: "en-GB",
      containerDimensions: { width, maxHeight: 6000 }, toolInfo: { tool: { name: tool, inputSchema: { type: "object" } } } } });
  bridge.onopenlink = async ({ url }) => {
    window.hostLog.openedLinks.push(url);
    return {};
  };
  bridge.onsizechange = ({ height }) => {
    window.hostLog.sizes.push(height);
    if (height) iframe.style.height = `${Math.ceil(height)}px`;
  };
  bridge.onloggingmessage = (params) => window.hostLog.logs.push(params);
  const ready = new Promise((resolve) => {
    bridge.oninitialized = () => {
      window.hostLog.initialized = true;
      resolve();
    };
  });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  await ready;
  await bridge.sendToolInput({ arguments: args });
  await bridge.sendToolResult(result);
};
