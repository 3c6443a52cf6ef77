"""``streamlit`` with a Python audit hook that records every socket address the server uses.

The no-network test starts the server through this file. Each ``socket.bind``,
``socket.connect``, ``socket.sendto``, ``socket.sendmsg`` and look-up event becomes one JSON line
in the file named by POLYREG_SOCKET_LOG, so a look-up or call home shows up even when it
fails at once. Usage: python tests/browser/audited_streamlit.py run app.py …
"""

import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from streamlit.web.cli import main  # noqa: E402

# bind too, so that the log shows the server's own 127.0.0.1 port and proves the hook ran
AUDITED_EVENTS = {"socket.bind", "socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname"}
_lock = threading.Lock()


def record_socket_events(log_path: str):
    log = open(log_path, "a", buffering=1)  # line-buffered: the test reads it after a kill too

    def hook(event: str, args: tuple) -> None:
        if event not in AUDITED_EVENTS:
            return
        # bind, connect, sendto and sendmsg pass (socket, address); the look-ups pass (host, …)
        target = args[0] if event.startswith("socket.get") else args[1]
        with _lock:
            log.write(json.dumps({"event": event, "target": repr(target)}) + "\n")

    return hook


if __name__ == "__main__":
    sys.addaudithook(record_socket_events(os.environ["POLYREG_SOCKET_LOG"]))
    sys.exit(main())
