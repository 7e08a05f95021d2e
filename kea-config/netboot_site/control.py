"""The operator's control path: kea-ctrl-agent in front of the daemons'
UNIX sockets up to Kea 2.6 (one URL, "service" picks the daemon); from Kea
3.0, where the agent is deprecated (3.1.8 removes it), each daemon's own
HTTP control socket with basic authentication. Rendered into
netboot-control.json, which tools read."""

import os

from .common import dump, header

API_USER = "netboot"
API_PASSWORD_FILE = "kea-api-password"


def control_paths(site, p):
    srv4, srv6 = site.first("srv4"), site.first("srv6")
    host = str(srv4) if srv4 else "[%s]" % srv6
    port = site.control_port or 8000
    version = site.kea_version
    control = {"kea-version": version, "via": "kea-ctrl-agent" if version < "3" else "kea-http-socket"}
    for n, family, present in ((0, "dhcp4", site.ipv4), (1, "dhcp6", site.ipv6)):
        if not present:
            continue
        if control["via"] == "kea-ctrl-agent":
            control[family] = {"url": "http://%s:%d/" % (host, port), "service": family}
        else:
            control[family] = {"url": "http://%s:%d/" % (host, port + n), "service": family,
                               "user": API_USER,
                               "password-file": os.path.join(p["api_dir"], API_PASSWORD_FILE)}
    return control


def control_json(control):
    return dump(control)


def control_sockets(control, family, p):
    """The "control-socket(s)" entry of kea-dhcp4/kea-dhcp6's configuration."""
    unix = {"socket-type": "unix", "socket-name": p["sock4" if family == "dhcp4" else "sock6"]}
    if control["via"] == "kea-ctrl-agent":
        return {"control-socket": unix}
    url = control[family]["url"]
    host, port = url[len("http://"):-1].rsplit(":", 1)
    return {"control-sockets": [unix, {
        "socket-type": "http", "socket-address": host.strip("[]"), "socket-port": int(port),
        "authentication": {"type": "basic", "realm": "kea-netboot", "directory": p["api_dir"],
                           "clients": [{"user": API_USER, "password-file": API_PASSWORD_FILE}]}}]}


def ctrl_agent(site, p):
    sockets = {}
    if site.ipv4:
        sockets["dhcp4"] = {"socket-type": "unix", "socket-name": p["sock4"]}
    if site.ipv6:
        sockets["dhcp6"] = {"socket-type": "unix", "socket-name": p["sock6"]}
    srv4 = site.first("srv4")
    host = str(srv4) if srv4 else str(site.first("srv6"))
    port = site.control_port or 8000
    if site.ha_this:  # the peer reaches this server's kea-dhcp4 at its ha.this URL
        host, port = str(site.ha_this.host), site.ha_this.port
    conf = {"Control-agent": {
        "http-host": host, "http-port": port,
        "control-sockets": sockets,
        "loggers": [{"name": "kea-ctrl-agent", "output_options": [{"output": p["logs"] + "/kea-ctrl-agent.log"}],
                     "severity": "INFO"}],
    }}
    return header("kea-ctrl-agent for kea-dhcp4/6 (netboot-* and statistic-* commands)") + dump(conf)
