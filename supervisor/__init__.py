"""The stdio front process: answers the MCP surface itself and supervises one worker."""
