"""Make a published asv site work without internet access.

asv's dashboard loads jQuery, flot, bootstrap, stupidtable and md5 from
public CDNs; on a machine without internet access the page shows only "Can
not determine continental origin of swallow".  This copies Debian's packaged
copies of those libraries into ``<html>/vendor/`` and points the pages at
them (dropping the CDN integrity hashes, which name other builds)::

    apt-get install -y libjs-jquery libjs-jquery-flot libjs-bootstrap \\
        libjs-jquery-stupidtable node-blueimp-md5
    python asv_offline.py .asv/html          # after every asv publish

Debian ships flot 4 (asv names 0.8.3): the graphs draw the same.  The
orderBars plugin (bar charts of parameter comparisons) is not packaged and
is replaced by an empty stub.
"""

import re
import shutil
import sys
from pathlib import Path

DEBIAN = Path("/usr/share/javascript")

# CDN file name -> Debian file (None: stub)
LOCAL = {
    "jquery-3.3.1.min.js": DEBIAN / "jquery/jquery.min.js",
    "jquery.flot.min.js": DEBIAN / "jquery-flot/jquery.flot.min.js",
    "jquery.flot.time.min.js": DEBIAN / "jquery-flot/jquery.flot.time.min.js",
    "jquery.flot.selection.min.js": DEBIAN / "jquery-flot/jquery.flot.selection.min.js",
    "jquery.flot.categories.min.js": DEBIAN / "jquery-flot/jquery.flot.categories.min.js",
    "jquery.flot.orderBars.js": None,
    "stupidtable.min.js": DEBIAN / "jquery-stupidtable/stupidtable.min.js",
    "md5.min.js": DEBIAN / "blueimp-md5/md5.min.js",
    "bootstrap.min.js": DEBIAN / "bootstrap/js/bootstrap.min.js",
    "bootstrap.min.css": DEBIAN / "bootstrap/css/bootstrap.min.css",
}

TAG = re.compile(r'<(script|link)\b[^>]*?(?:src|href)="(https://[^"]+)"[^>]*>')


def localize(html_dir):
    html_dir = Path(html_dir)
    vendor = html_dir / "vendor"
    vendor.mkdir(exist_ok=True)
    for name, source in LOCAL.items():
        if source is None:
            (vendor / name).write_text("/* stub: not packaged for offline use */\n")
        elif not source.exists():
            sys.exit(f"{source} missing: apt-get install the packages named in {__file__}")
        else:
            shutil.copyfile(source, vendor / name)

    def replace(match):
        tag, url = match.group(0), match.group(2)
        name = url.rsplit("/", 1)[-1]
        if name not in LOCAL:
            return tag
        tag = tag.replace(url, f"vendor/{name}")
        return re.sub(r'\s(integrity|crossorigin|referrerpolicy)="[^"]*"', "", tag)

    for page in html_dir.glob("*.html"):
        page.write_text(TAG.sub(replace, page.read_text()))


if __name__ == "__main__":
    localize(sys.argv[1] if len(sys.argv) > 1 else ".asv/html")
