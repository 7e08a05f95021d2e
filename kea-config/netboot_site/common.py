"""What every renderer writes the same way."""

import json


def header(what):
    return ("// %s, rendered by netboot-render (kea-netboot). Edit the site's\n"
            "// netboot-render options and re-render rather than this file.\n" % what)


def dump(obj):
    return json.dumps(obj, indent=2) + "\n"


def paths(site):
    """Where the daemons keep sockets, leases, logs and pid files."""
    r = site.run_dir
    if r:
        # Kea 2.6.3+ keeps its sockets, leases and logs in directories it is
        # told of (tools/kea-env sets them), and its socket directory must be
        # mode 750 -- which nginx's workers could not cross to the boot root.
        k = r + "/kea"
        return dict(sock4=k + "/kea4-ctrl-socket", sock6=k + "/kea6-ctrl-socket", lease=k, logs=k,
                    data=k, nginx_logs=r, pid=r + "/nginx.pid", tmp=r + "/nginx-tmp", api_dir=k)
    return dict(sock4="/run/kea/kea4-ctrl-socket", sock6="/run/kea/kea6-ctrl-socket", lease="/var/lib/kea",
                logs="/var/log/kea", data="/var/lib/kea", nginx_logs="/var/log/nginx", pid="/run/nginx.pid",
                tmp=None, api_dir="/etc/kea")


def server_addresses(site, attr):
    """This server's distinct addresses of one family (srv4/srv6), site order."""
    seen = []
    for n in site.networks:
        a = getattr(n, attr)
        if a is not None and a not in seen:
            seen.append(a)
    return seen


def port_suffix(site):
    return "" if site.http_port == 80 else ":%d" % site.http_port
