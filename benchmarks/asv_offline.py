"""Make a published asv site work without internet access.

asv's dashboard loads jQuery, flot, bootstrap, stupidtable and md5 from
public CDNs; on a machine without internet access the page shows only "Can
not determine continental origin of swallow".  This copies Debian's packaged
copies of those libraries into ``<html>/vendor/`` and points the pages at
them (dropping the CDN integrity hashes, which name other builds)::

    apt-get install -y libjs-jquery libjs-jquery-flot libjs-bootstrap \\
        libjs-jquery-stupidtable node-blueimp-md5
    python asv_offline.py .asv/html          # after every asv publish

Debian ships flot 4 (asv names 0.8.3), whose bundle differs from 0.8 in
four ways that show, each fixed here (``vendor/asv_offline.css`` and
``vendor/asv_offline.js``, linked from every page):

- the legend's SVG background rectangle has no fill (black) and opacity 1:
  a CSS rule on ``.legendLayer .background`` makes it a translucent white box;
- the bundle draws axis labels itself, so asv's own
  ``jquery.flot.axislabels.js`` drew each label a second time: its script tag
  is dropped;
- tick labels are SVG text, not HTML, so asv's log-scale labels
  (``"10" + "-3".sup()``) showed as ``10<sup>-3</sup>``: ``$.plot`` is wrapped
  so that every tick formatter's ``<sup>...</sup>`` becomes Unicode
  superscripts (10⁻³);
- an axis's ``min`` and ``max`` are overridden by autoscaling unless
  ``autoScale: "none"``: the same wrapper sets it where asv gives both ends
  of a range (its log scale drew no points without it).

The orderBars plugin (bar charts of parameter comparisons) is not packaged
and is replaced by an empty stub.  Running the script twice changes nothing.
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

PACKAGES = ("libjs-jquery libjs-jquery-flot libjs-bootstrap libjs-jquery-stupidtable "
            "node-blueimp-md5")

TAG = re.compile(r'<(script|link)\b[^>]*?(?:src|href)="(https://[^"]+)"[^>]*>')
# asv's axis-label plugin for flot 0.8; flot 4's bundle has its own
ASV_AXISLABELS = re.compile(r'<script\b[^>]*src="jquery\.flot\.axislabels\.js"[^>]*>\s*'
                            r'</script>\s*')

# The legend box of flot 4 (no fill: black, opacity 1): white and translucent, as in 0.8.
CSS = """\
/* asv_offline.py: flot 4's legend background is an SVG rect without a fill */
.legendLayer .background { fill: #ffffff; fill-opacity: 0.8; stroke: #cccccc; }
"""

# flot 4 draws tick labels as SVG text: HTML such as asv's "10<sup>-3</sup>" shows
# as markup.  Wrap $.plot so every tick formatter returns plain text (10⁻³), and
# so that an axis with a given min or max keeps it (flot 4 autoscales over them by
# default: asv's log scale, whose range it sets, drew an empty graph).
JS = """\
/* asv_offline.py: tick labels without HTML markup, for flot 4 */
(function ($) {
  "use strict";
  var SUP = {"0": "\\u2070", "1": "\\u00b9", "2": "\\u00b2", "3": "\\u00b3",
             "4": "\\u2074", "5": "\\u2075", "6": "\\u2076", "7": "\\u2077",
             "8": "\\u2078", "9": "\\u2079", "-": "\\u207b", "+": "\\u207a"};
  function plain(label) {
    return String(label).replace(/<sup>(.*?)<\\/sup>/g, function (m, exponent) {
      return exponent.split("").map(function (c) { return SUP[c] || c; }).join("");
    });
  }
  function fixAxis(axis) {
    if (!axis) { return; }
    // flot 0.8 honours a given range; flot 4 autoscales over it unless told not to
    // (with one end only, "none" would leave the other unset: keep autoscaling)
    if (typeof axis.min === "number" && typeof axis.max === "number" &&
        axis.autoScale === undefined) {
      axis.autoScale = "none";
    }
    if (typeof axis.tickFormatter === "function" && !axis.tickFormatter.plain) {
      var format = axis.tickFormatter;
      axis.tickFormatter = function (v, a) { return plain(format(v, a)); };
      axis.tickFormatter.plain = true;
    }
  }
  var plot = $.plot;
  if (!plot || plot.asvOffline) { return; }
  $.plot = function (placeholder, data, options) {
    if (options) {
      [options.xaxis, options.yaxis].concat(options.xaxes || [], options.yaxes || [])
        .forEach(fixAxis);
    }
    return plot(placeholder, data, options);
  };
  Object.assign($.plot, plot);   // plugins, version, ...: the same objects
  $.plot.asvOffline = true;
  $.asvOfflinePlain = plain;
})(jQuery);
"""

FIXES = ('<link href="vendor/asv_offline.css" rel="stylesheet" type="text/css"/>\n'
         '<script type="text/javascript" src="vendor/asv_offline.js"></script>\n')


def missing():
    """The Debian files this needs that are not installed (empty when all are)."""
    return [str(source) for source in LOCAL.values()
            if source is not None and not source.exists()]


def localize(html_dir):
    """Point the pages of a published asv site at local copies and apply the fixes.

    Parameters
    ----------
    html_dir : str or pathlib.Path
        The folder ``asv publish`` wrote (``html_dir`` of asv.conf.json).

    Raises
    ------
    FileNotFoundError
        If a Debian package named in `PACKAGES` is not installed.
    """
    html_dir = Path(html_dir)
    absent = missing()
    if absent:
        raise FileNotFoundError(f"{absent[0]} missing: apt-get install -y {PACKAGES}")
    vendor = html_dir / "vendor"
    vendor.mkdir(exist_ok=True)
    for name, source in LOCAL.items():
        if source is None:
            (vendor / name).write_text("/* stub: not packaged for offline use */\n")
        else:
            shutil.copyfile(source, vendor / name)
    (vendor / "asv_offline.css").write_text(CSS)
    (vendor / "asv_offline.js").write_text(JS, encoding="utf-8")

    def replace(match):
        tag, url = match.group(0), match.group(2)
        name = url.rsplit("/", 1)[-1]
        if name not in LOCAL:
            return tag
        tag = tag.replace(url, f"vendor/{name}")
        return re.sub(r'\s(integrity|crossorigin|referrerpolicy)="[^"]*"', "", tag)

    for page in html_dir.glob("*.html"):
        text = ASV_AXISLABELS.sub("", TAG.sub(replace, page.read_text()))
        if "vendor/asv_offline.js" not in text:
            text = text.replace("</head>", FIXES + "</head>", 1)
        page.write_text(text)


if __name__ == "__main__":
    try:
        localize(sys.argv[1] if len(sys.argv) > 1 else ".asv/html")
    except FileNotFoundError as exc:
        sys.exit(str(exc))
