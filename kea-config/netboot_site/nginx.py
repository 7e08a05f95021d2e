"""nginx: the boot root over HTTP (UEFI HTTP boot loaders, iPXE scripts)."""

from .common import server_addresses
from .preseed import PRESEED_DIR, REPORT_PATH


# Connections per nginx worker: a machine booting holds one, and a boot storm
# is every machine of a rack or a room at once.
NGINX_CONNECTIONS = 4096


def nginx_site(site, p):
    lines = ["# nginx site for kea-netboot, rendered by netboot-render: serves the boot",
             "# root over HTTP (UEFI HTTP boot loaders, iPXE scripts). edk2 HTTP boot",
             "# sends HEAD before GET and wants application/efi for *.efi.",
             "server {"]
    # The accept queue of a boot storm: at nginx's default (511) bench/storm
    # saw connections reset with 2000 machines fetching at once.
    lines += ["    listen %s:%d backlog=%d;" % (a, site.http_port, NGINX_CONNECTIONS)
              for a in server_addresses(site, "srv4")]
    lines += ["    listen [%s]:%d backlog=%d;" % (a, site.http_port, NGINX_CONNECTIONS)
              for a in server_addresses(site, "srv6")]
    lines += [
        "    server_name _;",
        "    root %s;" % site.root,
        "    access_log %s/netboot-access.log;" % p["nginx_logs"],
        "    error_log %s/netboot-error.log;" % p["nginx_logs"],
        "    autoindex off;",
        "    types {",
        "        application/efi efi;",
        "        text/plain ipxe cfg txt;",
        "    }",
        "    default_type application/octet-stream;",
        "    location / {",
        "        try_files $uri =404;",
        "    }",
        # The automated install: a machine's own preseed/<mac>.cfg, else the
        # site's; the installer's report that it finished, logged and answered.
        "    location /%s/ {" % PRESEED_DIR,
        "        try_files $uri /%s/default.cfg;" % PRESEED_DIR,
        "    }",
        "    location %s {" % REPORT_PATH,
        "        return 204;",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def nginx_main(p, site_path):
    # A rack powering on at once holds a connection per machine (iPXE fetches
    # kernel and initrd one at a time): bench/storm lost 121 of 1000 machines
    # to "worker_connections are not enough" at the 256 this used to set.
    lines = ["# Stand-alone nginx main config for the kea-netboot site (netboot-render).",
             "# nginx -c THIS -t checks it; nginx -c THIS -g 'daemon off;' runs it.",
             "worker_processes auto;",
             "worker_rlimit_nofile %d;" % (2 * NGINX_CONNECTIONS + 64),
             "pid %s;" % p["pid"],
             "error_log %s/nginx-error.log;" % p["nginx_logs"],
             "events { worker_connections %d; }" % NGINX_CONNECTIONS,
             "http {"]
    if p["tmp"]:
        lines.append("    client_body_temp_path %s/body;" % p["tmp"])
    lines += ["    sendfile on;", "    tcp_nopush on;", "    keepalive_timeout 65;",
              "    include %s;" % site_path, "}"]
    return "\n".join(lines) + "\n"
