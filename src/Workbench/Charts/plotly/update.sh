#!/usr/bin/env bash
# Refreshes the bundled plotly.js from npm (the "cartesian" partial bundle: scatter, bar, heatmap,
# histogram, box, image... 1.4 MB, no map or geo traces, so nothing in it reaches for a CDN).
# Usage: update.sh 3.7.0   (then change PlotlyScript.Version and the csproj's file name)
set -euo pipefail
version=${1:?version}
cd "$(dirname "$0")"
tmp=$(mktemp -d)
(cd "$tmp" && npm pack "plotly.js-cartesian-dist-min@$version" >/dev/null && tar xzf ./*.tgz)
# The one remote address in the bundle is the default topojsonURL of geo traces, which this bundle
# does not have; point it at a relative folder so that nothing in a notebook ever names a CDN.
sed 's#dflt:"https://cdn.plot.ly/un/"#dflt:"topojson/"#' "$tmp/package/plotly-cartesian.min.js" > "plotly-cartesian-$version.min.js"
grep -q -i 'cdn' "plotly-cartesian-$version.min.js" && { echo "error: the bundle still names a CDN" >&2; exit 1; }
cp "$tmp/package/LICENSE" LICENSE
rm -rf "$tmp"
