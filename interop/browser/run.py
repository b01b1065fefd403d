#!/usr/bin/env python3
"""Browser interop test: rtcio's `server` example against headless Chromium or Firefox ESR.

    interop/browser/run.py --server target/debug/examples/server \
        --browser chromium|firefox --role browser-offers|browser-answers

stdout: one `PASS <test> <figures>` or `FAIL <test> <reason>` line per test, then
`N passed, M failed`. Exit status 0 only if every test passed. Progress goes to stderr.

How: this process (the "outer" one) re-runs itself with `--inner` under
`unshare --pid --net --mount-proc --fork --kill-child`, so the inner one is PID 1 of a private
PID and network namespace: every browser and server process lives there and dies with it. The
outer one SIGKILLs the namespace if the inner one overruns its deadline. The inner one starts the
server, serves page.html on 127.0.0.1 (a secure context) with signaling proxied to the server,
starts the browser, collects the results the page POSTs, and runs the "browser vanishes" test.

Network: Chromium runs with the server over loopback (`--net lo`). Firefox gathers no candidate
on a loopback-only host, so with `--net veth` the server gets a network namespace of its own,
joined to the browser's by a veth pair, and the browser's namespace gets a default route through
it. Both namespaces belong to processes of this run (no named `ip netns`), so parallel runs
cannot collide and nothing is left behind.
Python 3.11 standard library only; needs `unshare`, `nsenter` and `ip`.
"""

import argparse
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ECHO_CASES = ["echo-text", "echo-unicode", "echo-empty-text", "echo-text-16k", "echo-binary-0",
              "echo-binary-1", "echo-binary-1200", "echo-binary-16384", "echo-binary-65536"]
GROUPS = {"datachannel": ["open", *ECHO_CASES, "rtt"],
          "media": ["video", "audio"],
          "simulcast": ["simulcast-layers", "simulcast-forward", "simulcast-up", "simulcast-down"],
          "bulk": ["bulk-upload", "bulk-download"],
          "vanish": ["vanish"]}
BROWSER_NET, SERVER_NET = "10.231.0.1", "10.231.0.2"   # only inside this run's namespaces
VANISH_BOUND = 45.0  # seconds from killing the browser to the server's sockets being released

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--disable-quic", "--mute-audio",
    # Without these two Chromium offers mDNS names or no host candidate at all on loopback.
    "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
    # Fake camera and microphone without a permission prompt, and playback without a gesture.
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
FIREFOX_PREFS = {
    # Real (not mDNS) host addresses, loopback allowed.
    "media.peerconnection.ice.loopback": True,
    "media.peerconnection.ice.obfuscate_host_addresses": False,
    "media.peerconnection.ice.default_address_only": False,
    "media.peerconnection.ice.no_host": False,
    # Fake camera and microphone without a permission prompt; autoplay allowed.
    "media.navigator.streams.fake": True, "media.navigator.permission.disabled": True,
    "media.autoplay.default": 0,
    # The simulcast check needs every layer on from the start; Firefox enables layers as its
    # bandwidth estimate grows (Chromium gets the same through the answer's x-google-* fmtp).
    # kbit/s.
    "media.peerconnection.video.start_bitrate": 2500,
    "media.peerconnection.video.min_bitrate_estimate": 1500,
    # No traffic nobody asked for, no first-run pages.
    "app.update.enabled": False, "app.normandy.enabled": False,
    "browser.shell.checkDefaultBrowser": False, "browser.aboutwelcome.enabled": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.safebrowsing.malware.enabled": False, "browser.safebrowsing.phishing.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False, "toolkit.telemetry.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
}


def log(msg):
    print(f"[run {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


# ------------------------------------------------------------------------------------------------
# Outer process: namespace, hard time limit, the report.

def outer(args, tests):
    workdir = tempfile.mkdtemp(prefix="rtcio-interop-")
    results_path = os.path.join(workdir, "results.json")
    wrap = ["unshare", "--pid", "--net", "--mount-proc", "--fork", "--kill-child"]
    if os.geteuid() != 0:
        wrap += ["--user", "--map-root-user"]
    cmd = wrap + [sys.executable, os.path.abspath(__file__), "--inner", workdir] + sys.argv[1:]
    start = time.monotonic()
    inner = subprocess.Popen(cmd, stdout=sys.stderr)
    reason = "not reported by the page"
    try:
        inner.wait(timeout=args.timeout + 15)
    except subprocess.TimeoutExpired:
        inner.kill()  # --kill-child: the namespace's PID 1 dies, and every process with it
        inner.wait()
        reason = f"hard time limit {args.timeout + 15} s hit; namespace killed"
    else:
        if inner.returncode:
            reason = f"harness exited with status {inner.returncode}"
    try:
        with open(results_path) as f:
            results = json.load(f)
    except (OSError, ValueError):
        results = {}
    passed = 0
    for name in tests:
        ok, detail = results.get(name, (False, f"not run: {reason}"))
        passed += bool(ok)
        print(f"{'PASS' if ok else 'FAIL'} {name} {detail}", flush=True)
    log(f"{args.browser} {args.role}: {time.monotonic() - start:.1f} s")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        for f in ("server.log", "browser.log", "page.log"):
            if os.path.exists(os.path.join(workdir, f)):
                shutil.copy(os.path.join(workdir, f), args.keep)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"{passed} passed, {len(tests) - passed} failed", flush=True)
    return 0 if passed == len(tests) else 1


# ------------------------------------------------------------------------------------------------
# Inner process (PID 1 of the run's namespaces).

class Run:
    def __init__(self, args, tests, workdir):
        self.args, self.tests, self.dir = args, tests, workdir
        self.deadline = time.monotonic() + args.timeout
        self.results = {}
        self.cond = threading.Condition()
        self.vanish_ready = False
        self.server = self.holder = self.browser = None
        self.page_log = open(os.path.join(workdir, "page.log"), "a")

    def record(self, name, ok, detail):
        with self.cond:
            if name in self.results:
                return
            self.results[name] = (bool(ok), str(detail))
            tmp = os.path.join(self.dir, "results.json.tmp")
            with open(tmp, "w") as f:
                json.dump(self.results, f)
            os.replace(tmp, os.path.join(self.dir, "results.json"))
            self.cond.notify_all()
        log(f"{'PASS' if ok else 'FAIL'} {name} {detail}")

    def fail_rest(self, why):
        for name in self.tests:
            self.record(name, False, why)

    def wait_for(self, predicate, seconds):
        end = min(time.monotonic() + seconds, self.deadline)
        with self.cond:
            while not predicate():
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.2))
        return True

    # -- network ---------------------------------------------------------------------------------

    def setup_network(self):
        sh("ip", "link", "set", "lo", "up")
        if self.args.net == "lo":
            self.server_host = "127.0.0.1"
            return
        # The server's namespace is held by a sleeping process of this run.
        self.holder = subprocess.Popen(["unshare", "--net", "sleep", str(self.args.timeout + 30)])
        mine = os.readlink("/proc/self/ns/net")
        for _ in range(100):
            try:
                if os.readlink(f"/proc/{self.holder.pid}/ns/net") != mine:
                    break
            except OSError:
                pass
            time.sleep(0.02)
        pid = str(self.holder.pid)
        sh("ip", "link", "add", "rtcio-b", "type", "veth", "peer", "name", "rtcio-s", "netns", pid)
        sh("ip", "addr", "add", f"{BROWSER_NET}/24", "dev", "rtcio-b")
        sh("ip", "link", "set", "rtcio-b", "up")
        # Firefox gathers host candidates only when there is a default route.
        sh("ip", "route", "add", "default", "via", SERVER_NET)
        inside = ["nsenter", "-t", pid, "-n", "ip"]
        sh(*inside, "link", "set", "lo", "up")
        sh(*inside, "addr", "add", f"{SERVER_NET}/24", "dev", "rtcio-s")
        sh(*inside, "link", "set", "rtcio-s", "up")
        self.server_host = SERVER_NET

    # -- the server under test ---------------------------------------------------------------------

    def start_server(self):
        cmd = [os.path.abspath(self.args.server), "--host", self.server_host,
               "--port", str(self.args.port)]
        if self.holder:
            cmd = ["nsenter", "-t", str(self.holder.pid), "-n", "--"] + cmd
        self.server_log_path = os.path.join(self.dir, "server.log")
        env = dict(os.environ, NO_COLOR="1")
        self.server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env=env,
                                       stderr=open(self.server_log_path, "w"))
        end = min(time.monotonic() + 20, self.deadline)
        while time.monotonic() < end:
            if self.server.poll() is not None:
                raise RuntimeError(f"server exited with {self.server.returncode} before listening")
            try:
                socket.create_connection((self.server_host, self.args.port), 0.5).close()
                self.udp_baseline = self.server_udp_sockets()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server never listened on {self.server_host}:{self.args.port}")

    def server_log(self):
        with open(self.server_log_path, errors="replace") as f:
            return re.sub(r"\x1b\[[0-9;]*m", "", f.read())

    def server_states(self):
        """Every `connection state is <state>` the server logged, in order."""
        return re.findall(r"connection state is (\w+)", self.server_log())

    def server_udp_sockets(self):
        """UDP sockets the server process holds (its fds matched against its netns' table)."""
        pid = self.server.pid
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        count = 0
        for table in ("udp", "udp6"):
            with open(f"/proc/{pid}/net/{table}") as f:
                next(f)
                count += sum(1 for line in f if line.split()[9] in inodes)
        return count

    # -- the page and signaling proxy --------------------------------------------------------------

    def serve_page(self):
        run = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def reply(self, status, body, ctype="application/json"):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/":
                    with open(os.path.join(HERE, "page.html"), "rb") as f:
                        self.reply(200, f.read(), "text/html; charset=utf-8")
                elif self.path == "/config":
                    self.reply(200, json.dumps({
                        "role": run.args.role, "tests": run.tests,
                        "videoCodec": run.args.video_codec,
                        "bulkBytes": run.args.bulk_mib << 20}))
                else:
                    self.reply(404, "not found", "text/plain")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/signal/"):
                    self.proxy(self.path[len("/signal/"):], body)
                    return
                msg = json.loads(body or b"{}")
                if self.path == "/log":
                    print(f"[page] {msg['line']}", file=sys.stderr, flush=True)
                    run.page_log.write(msg["line"] + "\n")
                    run.page_log.flush()
                elif self.path == "/result":
                    run.record(msg["name"], msg["ok"], msg["detail"])
                elif self.path == "/vanish-ready":
                    with run.cond:
                        run.vanish_ready = True
                        run.cond.notify_all()
                self.reply(200, "{}")

            def proxy(self, endpoint, body):
                url = f"http://{run.server_host}:{run.args.port}/{endpoint}"
                req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        self.reply(r.status, r.read())
                except urllib.error.HTTPError as e:
                    self.reply(502, f"{url}: HTTP {e.code} {e.read()[:300]!r}", "text/plain")
                except OSError as e:
                    self.reply(502, f"{url}: {e!r}", "text/plain")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    # -- the browser ---------------------------------------------------------------------------------

    def start_browser(self, url):
        profile = os.path.join(self.dir, "profile")
        os.makedirs(profile)
        env = dict(os.environ, HOME=self.dir, XDG_CONFIG_HOME=profile, XDG_CACHE_HOME=profile,
                   XDG_DATA_HOME=profile, XDG_RUNTIME_DIR=profile)
        if self.args.browser == "chromium":
            cmd = ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url]
        else:
            with open(os.path.join(profile, "user.js"), "w") as f:
                for k, v in FIREFOX_PREFS.items():
                    f.write(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n")
            cmd = ["firefox-esr", "--headless", "--no-remote", "--profile", profile, url]
        self.browser = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                        stdout=open(os.path.join(self.dir, "browser.log"), "w"),
                                        stderr=subprocess.STDOUT)

    def kill_browser(self):
        """SIGKILLs every process of the namespace except this one and the server's."""
        keep = {os.getpid(), self.server.pid}
        if self.holder:
            keep.add(self.holder.pid)
        for _ in range(2):  # twice, for a process forked while the first pass ran
            for p in os.listdir("/proc"):
                if p.isdigit() and int(p) not in keep:
                    try:
                        os.kill(int(p), signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.1)
        if self.browser:
            self.browser.wait()

    # -- the "browser vanishes mid-transfer" test -------------------------------------------------

    def vanish(self):
        """Kills the browser mid-download: rtcio must notice (consent freshness, RFC 7675: no
        reply for 30 s means failed), close the connection and release its UDP sockets, without
        ever claiming `connected` again, within VANISH_BOUND seconds."""
        if not self.wait_for(lambda: self.vanish_ready, 30):
            self.record("vanish", False, "the page never reported the download running")
            return
        sockets_before, states_before = self.server_udp_sockets(), len(self.server_states())
        self.kill_browser()
        killed = time.monotonic()
        log(f"browser killed mid-download; server holds {sockets_before} UDP socket(s)")
        changes, released = [], None  # [(state, seconds after the kill)]
        while time.monotonic() - killed < VANISH_BOUND and time.monotonic() < self.deadline:
            now = time.monotonic() - killed
            changes += [(s, now) for s in self.server_states()[states_before + len(changes):]]
            if self.server.poll() is not None:
                break
            if self.server_udp_sockets() <= self.udp_baseline:
                released = now
                break
            time.sleep(0.1)
        alive = self.server.poll() is None
        seq = ", ".join(f"{s} {t:.1f} s" for s, t in changes) or "no state change"
        detail = f"after the kill: {seq}; UDP sockets {sockets_before} -> " + (
            f"{self.udp_baseline} at {released:.1f} s" if released is not None else "not released")
        flaps = sum(s == "connected" for s, _ in changes)
        if not alive:
            ok, why = False, f"server exited with {self.server.returncode}"
        elif sockets_before <= self.udp_baseline:
            ok, why = False, "server held no UDP socket while connected"
        elif not any(s in ("failed", "closed") for s, _ in changes) or released is None:
            ok, why = False, f"not failed/closed and released within {VANISH_BOUND:.0f} s"
        elif flaps:
            ok, why = False, f"went back to connected {flaps} time(s) with the browser dead"
        else:
            ok, why = True, ""
        self.record("vanish", ok, f"{why}: {detail}" if why else detail)

    def main(self):
        page_tests = [t for t in self.tests if t != "vanish"]
        try:
            self.setup_network()
            self.start_server()
            url = self.serve_page()
            log(f"server on {self.server_host}:{self.args.port}, page at {url}")
            self.start_browser(url)
            done = self.wait_for(lambda: all(t in self.results for t in page_tests)
                                 or self.browser.poll() is not None, self.args.timeout)
            if self.browser.poll() is not None:
                self.fail_rest(f"browser exited with {self.browser.returncode}")
            elif not done:
                self.fail_rest(f"time limit {self.args.timeout} s hit")
            elif "vanish" in self.tests:
                self.vanish()
        except Exception as e:  # noqa: BLE001 - any setup error fails the tests with its reason
            self.fail_rest(f"not run: {e}")
        finally:
            if self.server:
                self.kill_browser()
            if not all(ok for ok, _ in self.results.values()) and self.server:
                tail = self.server_log().splitlines()[-25:]
                print("[run] server log tail:\n  " + "\n  ".join(tail), file=sys.stderr)
            if self.holder:
                subprocess.run(["ip", "link", "del", "rtcio-b"], stderr=subprocess.DEVNULL)
            for p in (self.server, self.holder):
                if p:
                    p.kill()
                    p.wait()
        return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server", required=True, help="path of rtcio's `server` example binary")
    p.add_argument("--browser", required=True, choices=["chromium", "firefox"])
    p.add_argument("--role", required=True, choices=["browser-offers", "browser-answers"])
    p.add_argument("--video-codec", choices=["any", "vp8", "h264"], default="any",
                   help="video test: restrict the browser's video codecs (setCodecPreferences)")
    p.add_argument("--tests", default="datachannel,media,simulcast,bulk,vanish",
                   help="comma-separated groups: " + ",".join(GROUPS) +
                   " (simulcast: --role browser-offers only, skipped with the other role)")
    p.add_argument("--bulk-mib", type=int, default=8, help="MiB each way in the bulk test")
    p.add_argument("--net", choices=["auto", "lo", "veth"], default="auto",
                   help="auto: lo for chromium, veth for firefox")
    p.add_argument("--port", type=int, default=8080, help="server's HTTP port (private netns)")
    p.add_argument("--timeout", type=int, default=120, help="seconds for the whole run")
    p.add_argument("--keep", metavar="DIR", help="copy server, browser and page logs here")
    p.add_argument("--inner", metavar="WORKDIR", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.net == "auto":
        args.net = "lo" if args.browser == "chromium" else "veth"
    groups = args.tests.split(",")
    if unknown := set(groups) - set(GROUPS):
        p.error(f"unknown test group(s): {', '.join(sorted(unknown))}")
    if args.role == "browser-answers" and "simulcast" in groups:
        # A browser sends simulcast when it offers it (addTransceiver's sendEncodings); rtcio
        # does not offer to receive simulcast, so with rtcio offering there is nothing to test.
        groups.remove("simulcast")
        if not args.inner:
            log("simulcast: skipped, browser-offers only (the browser must offer simulcast)")
    tests = [t for g in GROUPS for t in GROUPS[g] if g in groups]
    if "open" not in tests:
        tests.insert(0, "open")
    if args.inner:
        sys.exit(Run(args, tests, args.inner).main())
    if not os.access(args.server, os.X_OK):
        p.error(f"--server {args.server}: not an executable file")
    sys.exit(outer(args, tests))


if __name__ == "__main__":
    main()
