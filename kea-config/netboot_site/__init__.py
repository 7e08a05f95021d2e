"""kea-netboot's site model and the renderers that read it.

    from netboot_site import load_site
    site = load_site("/etc/kea-netboot/site.json")

`model` parses and checks a site (file or netboot-render's flags) into a
Site; every other module renders one output from a Site and nothing else."""

from .model import Refused, Site, build, effective, parse_file  # noqa: F401


def load_site(path, kea_version=None):
    """The Site of a site file; Refused naming file, line and field."""
    with open(path) as f:
        raw, where = parse_file(f.read(), path)
    return build(raw, where, kea_version)
