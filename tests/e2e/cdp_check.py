#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Open a page in headless Chromium and report what it did, as JSON.

  cdp_check.py CHROMIUM URL PNG [WIDTH HEIGHT] [SELECTOR | text:STRING ...]

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe:
commands on fd 3, replies on fd 4, NUL-separated JSON), so no port is opened.
The page is loaded, a screenshot of the first screen is written to PNG, and
one JSON object goes to stdout:
  title            document.title after the load
  scripts          <script> elements in the DOM
  elements         elements in the DOM
  rendered         elements the browser lays out (checkVisibility(): not in a
                   closed <details>, not display:none)
  inner_height     the viewport's height
  rects            {selector: [top, bottom]} of the first match (null: none)
  text             {STRING: true when the page's text contains it}
  dialogs          alert/confirm/prompt dialogs the page opened (each accepted)
  exceptions       uncaught JavaScript exceptions
  console          console messages of the page
  requests         URLs the page asked for besides itself
  load_ms          navigation start to the load event (informative only)
Exit 0 when the page loaded; 1 otherwise.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile


class Chrome:
    def __init__(self, binary, width, height):
        self.prof = tempfile.mkdtemp(prefix="sshrec-cdp-")
        cmd_r, cmd_w = os.pipe()  # Chromium reads commands from fd 3
        out_r, out_w = os.pipe()  # and writes replies and events to fd 4

        def child_fds():
            os.dup2(cmd_r, 3)
            os.dup2(out_w, 4)
            os.set_inheritable(3, True)  # dup2 onto itself keeps O_CLOEXEC
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--user-data-dir=" + self.prof,
             "--window-size=%d,%d" % (width, height), "--remote-debugging-pipe", "about:blank"],
            preexec_fn=child_fds, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(out_w)
        self.w = os.fdopen(cmd_w, "wb", buffering=0)
        self.r = os.fdopen(out_r, "rb", buffering=0)
        self.buf = b""
        self.n = 0
        self.events = []
        self.sid = None

    def send(self, method, params=None, sid=None):
        self.n += 1
        m = {"id": self.n, "method": method, "params": params or {}}
        if sid:
            m["sessionId"] = sid
        self.w.write(json.dumps(m).encode() + b"\0")
        return self.n

    def recv(self):
        while b"\0" not in self.buf:
            d = self.r.read(1 << 20)
            if not d:
                raise RuntimeError("Chromium closed the pipe")
            self.buf += d
        m, self.buf = self.buf.split(b"\0", 1)
        m = json.loads(m)
        if m.get("method") == "Page.javascriptDialogOpening":
            # a dialog blocks the page until answered: answer, and remember it
            self.send("Page.handleJavaScriptDialog", {"accept": True}, m.get("sessionId"))
        return m

    def call(self, method, params=None, page=True):
        i = self.send(method, params, self.sid if page else None)
        while True:
            m = self.recv()
            if m.get("id") == i:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def js(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        return r.get("result", {}).get("value")

    def close(self):
        try:
            self.call("Browser.close", page=False)
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.prof, ignore_errors=True)


def main():
    binary, url, png = sys.argv[1:4]
    width, height = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (1200, 900)
    selectors = [a for a in sys.argv[6:] if not a.startswith("text:")]
    texts = [a[5:] for a in sys.argv[6:] if a.startswith("text:")]
    c = Chrome(binary, width, height)
    try:
        target = c.call("Target.createTarget", {"url": "about:blank"}, page=False)["targetId"]
        c.sid = c.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                       page=False)["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            c.call(domain + ".enable")
        c.call("Page.navigate", {"url": url})
        while not any(e.get("method") == "Page.loadEventFired" for e in c.events):
            c.events.append(c.recv())
        res = {
            "title": c.js("document.title"),
            "scripts": c.js("document.scripts.length"),
            "elements": c.js("document.getElementsByTagName('*').length"),
            # a closed <details> keeps its content out of the layout
            # (content-visibility: hidden), which checkVisibility() reports
            "rendered": c.js("Array.prototype.filter.call(document.getElementsByTagName('*'),"
                             " function (e) { return e.checkVisibility(); }).length"),
            "inner_height": c.js("innerHeight"),
            "rects": {s: c.js("(function (e) { if (!e) return null; var r = "
                              "e.getBoundingClientRect(); return [r.top, r.bottom]; })"
                              "(document.querySelector(%s))" % json.dumps(s))
                      for s in selectors},
            "text": {t: c.js("document.documentElement.textContent.indexOf(%s) >= 0"
                             % json.dumps(t)) for t in texts},
            "load_ms": c.js("(function (t) { return t.loadEventStart - t.navigationStart; })"
                            "(performance.timing)"),
        }
        shot = c.call("Page.captureScreenshot", {"format": "png"})
        with open(png, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        ev = c.events
        res["dialogs"] = [e["params"].get("message") for e in ev
                          if e.get("method") == "Page.javascriptDialogOpening"]
        res["exceptions"] = [e["params"]["exceptionDetails"].get("text") for e in ev
                             if e.get("method") == "Runtime.exceptionThrown"]
        res["console"] = [[a.get("value") for a in e["params"].get("args", [])] for e in ev
                          if e.get("method") == "Runtime.consoleAPICalled"]
        res["requests"] = [e["params"]["request"]["url"] for e in ev
                           if e.get("method") == "Network.requestWillBeSent"
                           and e["params"]["request"]["url"] != url]
    finally:
        c.close()
    json.dump(res, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
